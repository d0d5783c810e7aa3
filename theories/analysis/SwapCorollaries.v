(** * Worked corollaries of the expectation-swap theorems

    The general theorems of ExpectationSwap.v are stated under domination
    hypotheses; these three examples show that the hypotheses can be
    discharged and the resulting expectations computed, on the simplest
    non-trivial case h x = x^2 (derivatives of E[x^2] = s^2 + m^2):
    - [deriv_mean_sq]: d/dmu E_{x ~ N(mu, 1)}[x^2] = 2 mu, by the
      score-function swap ([score_function_swap_growth]) with mu(t) = t,
      s(t) = 1: the score is x - mu and E[x^2 (x - mu)] = 2 mu;
    - [deriv_sigma_sq]: d/dsigma E_{x ~ N(0, sigma^2)}[x^2] = 2 sigma, by the
      score-function swap with mu(t) = 0, s(t) = t on [sigma/2, 2 sigma]: the
      score is x^2/s^3 - 1/s and E[x^4]/s^3 - E[x^2]/s = 3 s - s;
    - [deriv_pathwise_sq]: d/dtheta E_{e ~ N(0, 1)}[(theta + e)^2] = 2 theta,
      by the pathwise swap ([pathwise_swap_growth]): E[2 (theta + e)].
    The [_Coquelicot] versions restate them with Coquelicot's [is_derive]
    (the notion used by the kernel) through DeriveBridge.v.
    The expectations are computed by [gauss_expect_cpoly] (GaussianIntegral.v),
    from the central moments and the normalisation [gauss_mass_one]. *)
From Coq Require Import Reals Lra.
From Coquelicot Require Import Coquelicot.
From Certigrad Require Import Preamble.
From Certigrad Require Import Leibniz LebesgueFTC DeriveBridge Gaussian ExpectationSwap GaussianIntegral.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Notation R := real_realType.

(** * Side conditions shared by the examples *)

Lemma itv_center (t : R) : t \in `](t - 1), (t + 1)[.
Proof. by rewrite in_itv/= ltr_subl_addr !ltr_addl ltr01. Qed.

Lemma itv_center_norm (t th : R) :
  th \in `](t - 1), (t + 1)[ -> `|th| <= `|t| + 1.
Proof.
rewrite in_itv/= => /andP[th1 th2].
have h : `|th - t| <= 1.
  rewrite ler_norml; apply/andP; split.
    by move/RltP: th1 => h1; apply/RleP; to_std_in h1; to_std; lra.
  by move/RltP: th2 => h2; apply/RleP; to_std_in h2; to_std; lra.
by rewrite -[th](subrK t) (le_trans (ler_norm_add _ _))// addrC ler_add2l.
Qed.

Lemma measurable_sqr : measurable_fun setT (fun x : R => x ^+ 2).
Proof.
have := continuous_measurable_fun (@continuous_cpow 0 2).
by rewrite (_ : (fun x : R => (x - 0) ^+ 2) = (fun x => x ^+ 2)) //;
  apply: funext => x; rewrite subr0.
Qed.

(** [x^2] grows at most exponentially, as the growth versions require. *)
Lemma sqr_growth (x : R) : `|x ^+ 2| <= 2%:R ^+ 2 * expR (1 * `|x|).
Proof. by have := cpow_le_expR 0 2 x; rewrite subr0 normr0 expR0 mulr1. Qed.

(** d/dmu E_{x ~ N(mu, 1)}[x^2] = 2 mu, by the score-function swap. *)
Theorem deriv_mean_sq (mu : R) :
  is_derive mu 1 (fun m => gauss_expect m 1 (fun x => x ^+ 2)) (2 * mu).
Proof.
have box th : th \in `](mu - 1), (mu + 1)[ ->
  [/\ (1 : R) <= 1, (1 : R) <= 1, `|th| <= `|mu| + 1, `|1 : R| <= 1
    & `|0 : R| <= 0].
  by move=> /itv_center_norm thb; rewrite normr1 normr0.
have H := @score_function_swap_growth (fun x => x ^+ 2) id (fun=> 1)
  (fun=> 1) (fun=> 0) (mu - 1) (mu + 1) (2%:R ^+ 2) 1 (`|mu| + 1) 1 1 1 0
  ltr01 (fun th _ => is_derive_id th 1) (fun th _ => is_derive_cst 1 th 1)
  box measurable_sqr sqr_growth mu (itv_center mu).
(* The score of N(mu, 1) in mu is x - mu;
   x^2 (x - mu) = mu^2 (x - mu) + 2 mu (x - mu)^2 + (x - mu)^3. *)
have V : gauss_expect mu 1 (fun x => x ^+ 2 * gauss_score mu 1 1 0 x) = 2 * mu.
  rewrite (@gauss_expect_ext _ _ _ (fun x => 0 + mu ^+ 2 * (x - mu)
      + (2 * mu) * (x - mu) ^+ 2 + 1 * (x - mu) ^+ 3 + 0 * (x - mu) ^+ 4)).
    by rewrite gauss_expect_cpoly//; to_std; ring.
  by move=> x; rewrite /gauss_score !divr1; to_std; ring.
by move: H; rewrite V.
Qed.

(** d/dsigma E_{x ~ N(0, sigma^2)}[x^2] = 2 sigma, by the score-function
    swap on [sigma/2, 2 sigma], where the scale stays positive. *)
Theorem deriv_sigma_sq (sigma : R) : 0 < sigma ->
  is_derive sigma 1 (fun s => gauss_expect 0 s (fun x => x ^+ 2)) (2 * sigma).
Proof.
move=> sigma0.
have sigma20 : 0 < sigma / 2 by rewrite divr_gt0.
have sigmaI : sigma \in `](sigma / 2), (2 * sigma)[.
  rewrite in_itv/=; apply/andP; split.
    by rewrite ltr_pdivr_mulr// ltr_pmulr// ltr1n.
  by rewrite -[X in X < _]mul1r ltr_pmul2r// ltr1n.
have box th : th \in `](sigma / 2), (2 * sigma)[ ->
  [/\ sigma / 2 <= th, th <= 2 * sigma, `|0 : R| <= 0, `|0 : R| <= 0
    & `|1 : R| <= 1].
  rewrite in_itv/= => /andP[th1 th2].
  by split; rewrite ?normr0 ?normr1// ltW.
have H := @score_function_swap_growth (fun x => x ^+ 2) (fun=> 0) id
  (fun=> 0) (fun=> 1) (sigma / 2) (2 * sigma) (2%:R ^+ 2) 1 0 (sigma / 2)
  (2 * sigma) 0 1 sigma20 (fun th _ => is_derive_cst 0 th 1)
  (fun th _ => is_derive_id th 1) box measurable_sqr sqr_growth sigma sigmaI.
(* The score of N(0, s^2) in s is x^2/s^3 - 1/s. *)
have V : gauss_expect 0 sigma (fun x => x ^+ 2 * gauss_score 0 sigma 0 1 x) =
    2 * sigma.
  have sn0 : sigma != 0 by rewrite gt_eqF.
  rewrite (@gauss_expect_ext _ _ _ (fun x => 0 + 0 * (x - 0)
      + (- sigma^-1) * (x - 0) ^+ 2 + 0 * (x - 0) ^+ 3
      + (sigma ^+ 3)^-1 * (x - 0) ^+ 4)).
    rewrite gauss_expect_cpoly//.
    rewrite -(RinvE sn0) -(RinvE (expf_neq0 3 sn0)); to_std.
    by field; apply/eqP.
  move=> x; rewrite /gauss_score -(RinvE sn0) -(RinvE (expf_neq0 3 sn0)).
  by to_std; field; apply/eqP.
by move: H; rewrite V.
Qed.

(** d/dtheta E_{e ~ N(0, 1)}[(theta + e)^2] = 2 theta, by the pathwise
    swap: differentiate inside, E[2 (theta + e)] = 2 theta. *)
Theorem deriv_pathwise_sq (theta : R) :
  is_derive theta 1 (fun th => gauss_expect 0 1 (fun e => (th + e) ^+ 2))
    (2 * theta).
Proof.
have intf t : t \in `](theta - 1), (theta + 1)[ ->
    gauss_integrable 0 1 (fun e => (t + e) ^+ 2).
  move=> _; have := @gauss_integrable_expR 0 1 _ 1 _ ltr01
    (continuous_measurable_fun (@continuous_cpow (- t) 2)) (cpow_le_expR (- t) 2).
  by rewrite (_ : (fun e => (e - - t) ^+ 2) = (fun e => (t + e) ^+ 2)) //;
    apply: funext => e; rewrite opprK addrC.
have derf e t : t \in `](theta - 1), (theta + 1)[ ->
    is_derive t 1 (fun th => (th + e) ^+ 2) (2 * (t + e)).
  by move=> _; have := is_derive_cpow (- e) t 1; rewrite opprK expr1.
(* |2 (t + e)| <= 2 exp |t + e| <= 2 exp (|theta| + 1) exp |e|. *)
have bnd e t : t \in `](theta - 1), (theta + 1)[ ->
    `|2 * (t + e)| <= 2 * expR (`|theta| + 1) * expR (1 * `|e|).
  move=> /itv_center_norm tb.
  rewrite normrM ger0_norm ?ler0n// mul1r -mulrA ler_wpmul2l ?ler0n//.
  apply: le_trans (expR_ge_id _) _; rewrite -expRD ler_expR.
  by apply: le_trans (ler_norm_add _ _) _; rewrite ler_add2r.
have H := @pathwise_swap_growth 0 1 (fun th e => (th + e) ^+ 2)
  (fun th e => 2 * (th + e)) (theta - 1) (theta + 1)
  (2 * expR (`|theta| + 1)) 1 ltr01 intf derf bnd theta (itv_center theta).
have V : gauss_expect 0 1 (fun e => 2 * (theta + e)) = 2 * theta.
  rewrite (@gauss_expect_ext _ _ _ (fun e => 2 * theta + 2 * (e - 0)
      + 0 * (e - 0) ^+ 2 + 0 * (e - 0) ^+ 3 + 0 * (e - 0) ^+ 4)).
    by rewrite gauss_expect_cpoly//; to_std; ring.
  by move=> e; to_std; ring.
by move: H; rewrite V.
Qed.

(** The same derivatives with Coquelicot's [is_derive]. *)
Corollary deriv_mean_sq_Coquelicot (mu : R) :
  Derive.is_derive (fun m : Rdefinitions.R => gauss_expect m 1 (fun x => x ^+ 2)) mu (2 * mu).
Proof. exact/is_derive_Coquelicot/deriv_mean_sq. Qed.

Corollary deriv_sigma_sq_Coquelicot (sigma : R) : 0 < sigma ->
  Derive.is_derive (fun s : Rdefinitions.R => gauss_expect 0 s (fun x => x ^+ 2)) sigma
    (2 * sigma).
Proof. by move=> sigma0; exact/is_derive_Coquelicot/deriv_sigma_sq. Qed.

Corollary deriv_pathwise_sq_Coquelicot (theta : R) :
  Derive.is_derive (fun th : Rdefinitions.R => gauss_expect 0 1 (fun e => (th + e) ^+ 2)) theta
    (2 * theta).
Proof. exact/is_derive_Coquelicot/deriv_pathwise_sq. Qed.

(** * Diagonal Gaussians on R^n as iterated one-dimensional expectations

    Coordinates are drawn one scalar at a time, as in the stochastic-backprop
    semantics (Stochastic.v):
    - [gauss_expect_n ms f] is E[f xs] for xs ~ N(mu, diag s^2), where
      [ms = [:: (m_1, s_1); ...; (m_n, s_n)]]: the first coordinate is
      integrated last (outermost [gauss_expect]);
    - [std_gauss_expect n f] is the standard case N(0, I_n);
    - [gauss_pdf_n ms xs] is the product density, positive
      ([gauss_pdf_n_gt0]).
    Moments need no Fubini theorem: an inner expectation of a function that
    does not depend on its own coordinate is that function times the mass 1
    ([gauss_expect_cst], GaussianIntegral.v); so E_n[1] = 1 ([gauss_expect_n_cst]) and the law of
    each coordinate is its one-dimensional Gaussian ([gauss_expect_n_coord]),
    which gives means and variances; two coordinates are independent
    ([gauss_expect_n_coord2]), so the covariance of N(0, I_n) is the identity
    ([std_gauss_cov]).
    [gauss_expect_n_density]: [gauss_expect_n ms f] is the iterated Lebesgue
    integral [iter_integral] of [f] times the product density.
    [std_pathwise_swap]: d/dt E_{e ~ N(0, I_n)}[f t e] = E[d/dt f t e], by
    induction on [n] from the one-dimensional [pathwise_swap_growth], for [f t]
    and its derivative bounded by [C exp(c |e|_1)] and continuous in each
    coordinate of [e]; the continuity makes every inner expectation
    continuous, hence measurable ([box_regular]); [std_pathwise_swap_vec]:
    the same for [f] on vectors ['I_n -> R]. *)
From Certigrad Require Import Preamble.
From Certigrad Require Import Leibniz LebesgueFTC Gaussian ExpectationSwap GaussianIntegral.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Notation R := real_realType.
Notation lambda := (@lebesgue_measure R).

(** * Definitions *)

Fixpoint gauss_expect_n (ms : seq (R * R)) (f : seq R -> R) : R :=
  match ms with
  | [::] => f [::]
  | (m, s) :: ms' =>
      gauss_expect m s (fun x => gauss_expect_n ms' (fun xs => f (x :: xs)))
  end.

Definition std_gauss_expect (n : nat) (f : seq R -> R) : R :=
  gauss_expect_n (nseq n (0, 1)) f.

Fixpoint gauss_pdf_n (ms : seq (R * R)) (xs : seq R) : R :=
  match ms, xs with
  | (m, s) :: ms', x :: xs' => gauss_pdf m s x * gauss_pdf_n ms' xs'
  | _, _ => 1
  end.

(** All standard deviations are positive. *)
Definition gauss_params_pos (ms : seq (R * R)) : bool := all (fun p => 0 < p.2) ms.

Lemma gauss_pdf_n_gt0 ms xs : 0 < gauss_pdf_n ms xs.
Proof.
elim: ms xs => [|[m s] ms IH] [|x xs] //=.
by rewrite mulr_gt0// gauss_pdf_gt0.
Qed.

Lemma std_params_pos n : gauss_params_pos (nseq n (0, 1)).
Proof. by rewrite /gauss_params_pos all_nseq ltr01 orbT. Qed.

(** * Mass, means and variances *)

(** Expectation of a constant; with [c = 1], the total mass is 1. *)
Lemma gauss_expect_n_cst ms (c : R) : gauss_params_pos ms ->
  gauss_expect_n ms (fun=> c) = c.
Proof.
elim: ms => [//|[m s] ms IH] /= /andP[s0 /IH {}IH].
by rewrite (@gauss_expect_ext _ _ _ (fun=> c)) ?gauss_expect_cst.
Qed.

Corollary gauss_expect_n_mass ms : gauss_params_pos ms ->
  gauss_expect_n ms (fun=> 1) = 1.
Proof. exact: gauss_expect_n_cst. Qed.

(** The i-th coordinate has law N(m_i, s_i^2). *)
Lemma gauss_expect_n_coord ms i (h : R -> R) : gauss_params_pos ms ->
  (i < size ms)%N ->
  gauss_expect_n ms (fun xs => h (nth 0 xs i)) =
  gauss_expect (nth (0, 1) ms i).1 (nth (0, 1) ms i).2 h.
Proof.
elim: ms i => [//|[m s] ms IH] [|i] /= /andP[s0 pos] ilt.
  by apply: gauss_expect_ext => x; rewrite gauss_expect_n_cst.
rewrite (@gauss_expect_ext _ _ _ (fun=> gauss_expect (nth (0, 1) ms i).1
  (nth (0, 1) ms i).2 h)) ?gauss_expect_cst// => x.
exact: IH.
Qed.

Lemma gauss_params_nth ms i : gauss_params_pos ms -> (i < size ms)%N ->
  0 < (nth (0, 1) ms i).2.
Proof. by move=> /all_nthP; apply. Qed.

Theorem gauss_expect_n_mean ms i : gauss_params_pos ms -> (i < size ms)%N ->
  gauss_expect_n ms (fun xs => nth 0 xs i) = (nth (0, 1) ms i).1.
Proof.
move=> pos ilt; have := gauss_expect_n_coord (fun x => x) pos ilt.
by move=> ->; rewrite gauss_mean// gauss_params_nth.
Qed.

Theorem gauss_expect_n_variance ms i : gauss_params_pos ms -> (i < size ms)%N ->
  gauss_expect_n ms (fun xs => (nth 0 xs i - (nth (0, 1) ms i).1) ^+ 2) =
  (nth (0, 1) ms i).2 ^+ 2.
Proof.
move=> pos ilt.
have := gauss_expect_n_coord (fun x => (x - (nth (0, 1) ms i).1) ^+ 2) pos ilt.
by move=> ->; rewrite gauss_variance// gauss_params_nth.
Qed.

(** Two coordinates [i < j] are independent: the expectation of a product
    of functions of each is the product of their expectations. *)
Lemma gauss_expect_n_coord2 ms i j (h k : R -> R) : gauss_params_pos ms ->
  (i < j)%N -> (j < size ms)%N ->
  gauss_integrable (nth (0, 1) ms i).1 (nth (0, 1) ms i).2 h ->
  gauss_integrable (nth (0, 1) ms j).1 (nth (0, 1) ms j).2 k ->
  gauss_expect_n ms (fun xs => h (nth 0 xs i) * k (nth 0 xs j)) =
  gauss_expect (nth (0, 1) ms i).1 (nth (0, 1) ms i).2 h *
  gauss_expect (nth (0, 1) ms j).1 (nth (0, 1) ms j).2 k.
Proof.
elim: ms i j => [//|[m s] ms IH] [|i] [|j] //= /andP[s0 pos] ij jlt ih ik.
  set Ek := gauss_expect _ _ k.
  rewrite (@gauss_expect_ext _ _ _ (fun x => Ek * h x)) => [|x].
    (* A bare [mulrC] or [//] here tries to unify two different
       expectations, which is slow. *)
    by rewrite gauss_expectZ; [rewrite [LHS]mulrC|exact: ih].
  have := @gauss_expect_n_coord ms j (fun y => h x * k y) pos jlt.
  by rewrite mulrC => ->; rewrite gauss_expectZ.
rewrite (@gauss_expect_ext _ _ _ (fun=> gauss_expect (nth (0, 1) ms i).1
  (nth (0, 1) ms i).2 h * gauss_expect (nth (0, 1) ms j).1 (nth (0, 1) ms j).2 k));
  first by rewrite gauss_expect_cst.
by move=> x; exact: (IH i j pos ij jlt ih ik).
Qed.

(** The standard Gaussian N(0, I_n). *)
Theorem std_gauss_mass n : std_gauss_expect n (fun=> 1) = 1.
Proof. exact/gauss_expect_n_mass/std_params_pos. Qed.

Theorem std_gauss_mean n i : (i < n)%N ->
  std_gauss_expect n (fun e => nth 0 e i) = 0.
Proof.
move=> ilt; rewrite /std_gauss_expect gauss_expect_n_mean ?std_params_pos//.
  by rewrite nth_nseq if_same.
by rewrite size_nseq.
Qed.

Theorem std_gauss_variance n i : (i < n)%N ->
  std_gauss_expect n (fun e => nth 0 e i ^+ 2) = 1.
Proof.
move=> ilt; rewrite /std_gauss_expect.
have := @gauss_expect_n_coord (nseq n (0, 1)) i (fun x => x ^+ 2)
  (std_params_pos n); rewrite size_nseq => /(_ ilt) ->.
by rewrite nth_nseq if_same /= gauss_second_moment ?ltr01// expr1n expr0n addr0.
Qed.

Lemma gauss_integrable_id s : 0 < s -> gauss_integrable 0 s (fun x => x).
Proof.
move=> s0; have := gauss_integrable_cpow 0 1 s0.
by apply: eq_integrable => // x _; rewrite subr0 expr1.
Qed.

(** The covariance of N(0, I_n) is the identity. *)
Theorem std_gauss_cov n i j : (i < n)%N -> (j < n)%N ->
  std_gauss_expect n (fun e => nth 0 e i * nth 0 e j) = (i == j)%:R.
Proof.
have cross i' j' : (i' < j')%N -> (j' < n)%N ->
    std_gauss_expect n (fun e => nth 0 e i' * nth 0 e j') = 0.
  move=> ij jn; have pos := std_params_pos n.
  have jn' : (j' < size (nseq n (0%R : R, 1%R : R)))%N by rewrite size_nseq.
  have I i0 : gauss_integrable (nth (0 : R, 1 : R) (nseq n (0, 1)) i0).1
      (nth (0 : R, 1 : R) (nseq n (0, 1)) i0).2 (fun x => x).
    by rewrite !nth_nseq !if_same; exact: gauss_integrable_id ltr01.
  have := @gauss_expect_n_coord2 _ i' j' (fun x => x) (fun x => x) pos ij jn'
    (I i') (I j').
  by rewrite nth_nseq if_same gauss_mean ?ltr01// mul0r.
move=> ilt jlt; case: (ltngtP i j) => [ij|ji|->].
- by rewrite cross.
- rewrite (_ : (fun e => _) = fun e => nth 0 e j * nth 0 e i) ?cross//.
  by apply: funext => e; rewrite mulrC.
by rewrite -(std_gauss_variance jlt).
Qed.

(** * The joint density

    [iter_integral n F] integrates [F] over R^n one coordinate at a time
    (the first coordinate outermost); [gauss_expect_n_density]: the iterated
    expectation is the iterated integral of [f] times [gauss_pdf_n].  The
    density factor of an outer coordinate is a positive constant for the
    inner integrals, and positive constants leave any integral, measurable
    integrand or not, through [ge0_integral_scale]. *)

(** [\int (k f) = k \int f] for [k > 0] and every nonnegative [f]
    (mathcomp's [integralM] asks for integrability): the simple functions
    below [k f] are [k] times those below [f]. *)
Lemma ge0_integral_scale (f : R -> \bar R) (k : R) : 0 < k ->
  (forall x, (0 <= f x)%E) ->
  (\int[lambda]_x (k%:E * f x) = k%:E * \int[lambda]_x f x)%E.
Proof.
move=> k0 f0.
have kf0 x : (0 <= k%:E * f x)%E by rewrite mule_ge0// lee_fin ltW.
have k10 : 0 <= k^-1 by rewrite invr_ge0 ltW.
rewrite !ge0_integralTE//; apply/eqP; rewrite eq_le; apply/andP; split.
  apply: ub_ereal_sup => _ [h hkf <-].
  have -> : sintegral lambda h = (k%:E * sintegral lambda (scale_nnsfun h k10))%E.
    by rewrite sintegralrM muleA -EFinM mulfV ?gt_eqF// mul1e.
  rewrite lee_pmul2l// ?lte_fin//; apply: ereal_sup_ub.
  exists (scale_nnsfun h k10) => //= x.
  by rewrite EFinM lee_pdivr_mull.
rewrite -lee_pdivl_mull//; apply: ub_ereal_sup => _ [h hf <-].
rewrite lee_pdivl_mull// -sintegralrM; apply: ereal_sup_ub.
exists (scale_nnsfun h (ltW k0)) => //= x.
by rewrite EFinM lee_pmul2l// ?lte_fin.
Qed.

(** The same for the real value of the integral of any real [g] (both sides
    are 0 when the integral is not finite). *)
Lemma fine_integral_scale (g : R -> R) (k : R) : 0 < k ->
  fine (\int[lambda]_x (g x * k)%:E)%E = fine (\int[lambda]_x (g x)%:E)%E * k.
Proof.
move=> k0.
have -> : (fun x => (g x * k)%:E) = (fun x => k%:E * (g x)%:E)%E.
  by apply: funext => x; rewrite mulrC EFinM.
rewrite integralE [in RHS]integralE gt0_funeposM// gt0_funenegM//.
rewrite !ge0_integral_scale//.
move: (\int[lambda]_x _)%E (\int[lambda]_x _)%E => P N.
case: P => [p||]; case: N => [q||] //=; rewrite ?gt0_muley ?gt0_muleNy//= ?mul0r//.
by rewrite mulrBl mulrC [p * k]mulrC.
Qed.

Fixpoint iter_integral (n : nat) (F : seq R -> R) : R :=
  if n is n'.+1 then
    fine (\int[lambda]_x (iter_integral n' (fun xs => F (x :: xs)))%:E)%E
  else F [::].

Lemma iter_integralMr n (F : seq R -> R) (k : R) : 0 < k ->
  iter_integral n F * k = iter_integral n (fun xs => F xs * k).
Proof.
elim: n F => [//|n IH] F k0 /=.
rewrite -fine_integral_scale//; congr fine; apply: eq_integral => x _.
by rewrite IH.
Qed.

Theorem gauss_expect_n_density ms (f : seq R -> R) :
  gauss_expect_n ms f =
  iter_integral (size ms) (fun xs => f xs * gauss_pdf_n ms xs).
Proof.
elim: ms f => [|[m s] ms IH] f /=; first by rewrite mulr1.
rewrite /gauss_expect; congr fine; apply: eq_integral => x _.
rewrite IH iter_integralMr ?gauss_pdf_gt0//; congr (EFin (iter_integral _ _)).
by apply: funext => xs; rewrite -mulrA [gauss_pdf_n _ _ * _]mulrC.
Qed.

(** * Regularity of the iterated integrals

    To apply the one-dimensional swap at each level, the inner expectation
    [x |-> E_n[f (x :: .)]] must be measurable.  We obtain it from continuity:
    if [f] is continuous in each coordinate separately and bounded by
    [C exp(c |xs|_1)], every inner expectation is continuous (dominated
    convergence along sequences, [gauss_expect_continuous]) and bounded by
    [C K^n] ([box_regular]), for any parameters whose standard deviations lie
    in [[s1, s2]] ([0 < s1]) and whose means lie in [[-M, M]] ([in_box]),
    where [K = box_moment c M s1 s2] bounds E_{N(m, s^2)}[exp(c|y|)]
    uniformly over the box.  The standard Gaussian is the box [M = 0],
    [s1 = s2 = 1]; the general box serves the score-function swap
    (GaussianNDScore.v). *)

Definition norm1 (xs : seq R) : R := \sum_(x <- xs) `|x|.

Lemma expR_norm1_cons (c x : R) xs :
  expR (c * norm1 (x :: xs)) = expR (c * `|x|) * expR (c * norm1 xs).
Proof. by rewrite /norm1 big_cons mulrDr expRD. Qed.

Lemma expR_norm1_nil (c : R) : expR (c * norm1 [::]) = 1.
Proof. by rewrite /norm1 big_nil mulr0 expR0. Qed.

(** Continuity in each coordinate, the others being fixed. *)
Definition sep_continuous (h : seq R -> R) : Prop :=
  forall xs ys, continuous (fun y => h (xs ++ y :: ys)).

Lemma cvg_nbhs_seq (G : R -> R) (x0 l r : R) : 0 < r ->
  (forall u : nat -> R, (forall n, `|u n - x0| < r) -> u --> x0 -> G \o u --> l) ->
  G x @[x --> x0] --> l.
Proof.
move=> r0 Hu; apply/cvgrPdist_lt => e e0; apply: contrapT => nH.
have H n : exists x : R, `|x - x0| < minr r n.+1%:R^-1 /\ e <= `|l - G x|.
  apply: contrapT => /forallNP Hn; apply: nH.
  apply/nbhs_ballP; exists (minr r n.+1%:R^-1) => /=.
    by rewrite lt_minr r0 invr_gt0 ltr0n.
  move=> x; rewrite /ball /= => xn.
  by rewrite ltNge; apply/negP => exl; apply: (Hn x); split => //; rewrite distrC.
have [u Hu'] := choice H.
have u0 : u --> x0.
  apply/cvgrPdist_lt => _/posnumP[d]; near=> n.
  have [+ _] := Hu' n; rewrite distrC; move/lt_le_trans; apply.
  rewrite le_minl; apply/orP; right; apply: ltW.
  by near: n; exact: near_infty_natSinv_lt.
have ur n : `|u n - x0| < r.
  by have [+ _] := Hu' n; rewrite lt_minr => /andP[].
have /cvgrPdist_lt/(_ e e0) [N _ HN] := Hu u ur u0.
have := HN N (leqnn N); rewrite ltNge; have [_ ->] := Hu' N; by [].
Unshelve. all: by end_near. Qed.

Lemma continuous_expR_abs (c : R) : continuous (fun y : R => expR (c * `|y|)).
Proof.
move=> y; apply: (@continuous_comp _ _ _ (fun y : R => c * `|y|) expR).
  apply: (@continuousM _ _ (fun=> c) (fun y : R => `|y|)).
    exact: cst_continuous.
  exact: norm_continuous.
exact: continuous_expR.
Qed.

Lemma gauss_integrable_expR_abs m s (c : R) : 0 < s ->
  gauss_integrable m s (fun y => expR (c * `|y|)).
Proof.
move=> s0; apply: (@gauss_integrable_expR _ _ 1 c) => //.
  exact: continuous_measurable_fun (@continuous_expR_abs c).
by move=> y; rewrite mul1r ger0_norm// ltW// expR_gt0.
Qed.

Lemma bound_ge0 (v C e : R) : `|v| <= C * expR e -> 0 <= C.
Proof.
move=> H; have := le_trans (normr_ge0 _) H.
by rewrite pmulr_lge0// expR_gt0.
Qed.

(** An expectation is bounded by the expectation of a bound. *)
Lemma gauss_expect_abs_le m s (psi : R -> R) (D c : R) : 0 < s ->
  measurable_fun setT psi -> (forall y, `|psi y| <= D * expR (c * `|y|)) ->
  `|gauss_expect m s psi| <= D * gauss_expect m s (fun y => expR (c * `|y|)).
Proof.
move=> s0 mpsi bnd.
have ie := @gauss_integrable_expR_abs m s c s0.
have ipsi : gauss_integrable m s psi := @gauss_integrable_expR m s D c psi s0 mpsi bnd.
have mpdf := continuous_measurable_fun (@continuous_gauss_pdf m s).
have D0 : 0 <= D := bound_ge0 (bnd 0).
rewrite -gauss_expectZ// /gauss_expect.
have f1 := integral_fune_fin_num measurableT ipsi.
have f2 := integral_fune_fin_num measurableT (gauss_integrableZ D ie).
rewrite -lee_fin (fineK f2); set I1 := (\int[lambda]_x _)%E in f1 *.
have -> : (`|fine I1|%:E = `|I1|)%E by rewrite -{2}(fineK f1).
apply: le_trans (le_abse_integral _ _ _) _ => //.
  exact/EFin_measurable_fun/measurable_funM.
apply: ge0_le_integral => //.
- apply: measurable_fun_comp; first exact: measurable_fun_abse.
  exact/EFin_measurable_fun/measurable_funM.
- move=> y _; rewrite lee_fin mulr_ge0 ?mulr_ge0//; exact: ltW (expR_gt0 _).
- apply/EFin_measurable_fun/measurable_funM => //; apply: measurable_funrM.
  exact: continuous_measurable_fun (@continuous_expR_abs c).
move=> y _; rewrite /= lee_fin normrM (gtr0_norm (gauss_pdf_gt0 _ _ _)).
by apply: ler_wpmul2r; [exact: ltW (gauss_pdf_gt0 _ _ _)|exact: bnd].
Qed.

(** Continuity of a parametric expectation, by dominated convergence along
    sequences. *)
Lemma gauss_expect_continuous m s (phi : R -> R -> R) (D c : R) : 0 < s ->
  (forall x, measurable_fun setT (phi x)) -> (forall y, continuous (phi ^~ y)) ->
  (forall x y, `|phi x y| <= D * expR (c * `|x|) * expR (c * `|y|)) ->
  continuous (fun x => gauss_expect m s (phi x)).
Proof.
move=> s0 mphi cphi bnd x0.
have D0 : 0 <= D by have := bnd x0 0; rewrite -mulrA -expRD => /bound_ge0.
pose K := D * expR (`|c| * (`|x0| + 1)).
have mpdf := continuous_measurable_fun (@continuous_gauss_pdf m s).
have ig : lambda.-integrable setT
    (fun y => (K * expR (c * `|y|) * gauss_pdf m s y)%:E).
  have := integrablerM measurableT K (@gauss_integrable_expR_abs m s c s0).
  by apply: eq_integrable => // y _; rewrite /= -EFinM mulrA.
apply: (@cvg_nbhs_seq _ x0 _ 1 ltr01) => u ur ucv.
pose fu n y := (phi (u n) y * gauss_pdf m s y)%:E.
have mfu n : measurable_fun setT (fu n) by exact/EFin_measurable_fun/measurable_funM.
have mf : measurable_fun setT (fun y => (phi x0 y * gauss_pdf m s y)%:E).
  exact/EFin_measurable_fun/measurable_funM.
have fcv : {ae lambda, forall y, setT y ->
    fu ^~ y --> (phi x0 y * gauss_pdf m s y)%:E}.
  apply: aeW => y _; apply/fine_cvgP; split; first exact: nearW.
  by apply: cvgMl; exact: cvg_comp ucv (cphi y x0).
have fbd : {ae lambda, forall y n, setT y ->
    (`|fu n y| <= (K * expR (c * `|y|) * gauss_pdf m s y)%:E)%E}.
  apply: aeW => y n _; rewrite lee_fin normrM (gtr0_norm (gauss_pdf_gt0 _ _ _)).
  apply: ler_wpmul2r; first exact: ltW (gauss_pdf_gt0 _ _ _).
  apply: le_trans (bnd _ _) _; apply: ler_wpmul2r; first exact: ltW (expR_gt0 _).
  apply: ler_wpmul2l => //; rewrite ler_expR.
  apply: le_trans (ler_norm _) _; rewrite normrM normr_id.
  apply: ler_wpmul2l => //.
  have := ler_norm_add (u n - x0) x0; rewrite subrK addrC => /le_trans; apply.
  by rewrite ler_add2l ltW.
have [if_ _ cvgI] := @dominated_convergence _ _ _ lambda setT measurableT fu _ _ mfu mf fcv ig fbd.
rewrite -(fineK (integral_fune_fin_num measurableT if_)) in cvgI.
by have [_] := proj1 (fine_cvgP _ _) cvgI.
Qed.

(** Parameters in a box: standard deviations in [[s1, s2]], means in
    [[-M, M]]; N(0, I_n) is in the box [M = 0], [s1 = s2 = 1]
    ([std_in_box]). *)
Definition in_box (M s1 s2 : R) (ms : seq (R * R)) : bool :=
  all (fun p => [&& s1 <= p.2, p.2 <= s2 & `|p.1| <= M]) ms.

Lemma std_in_box n : in_box 0 1 1 (nseq n (0, 1)).
Proof. by rewrite /in_box all_nseq /= normr0 !lexx orbT. Qed.

(** A bound, uniform over the box, for E_{N(m, s^2)}[exp(c |y|)]. *)
Definition box_moment (c M s1 s2 : R) : R :=
  fine (\int[lambda]_x (gauss_dom 1 c M s1 s2 x)%:E)%E.

Lemma gauss_expect_box_le m s (psi : R -> R) (D c M s1 s2 : R) :
  0 < s1 -> s1 <= s -> s <= s2 -> `|m| <= M ->
  measurable_fun setT psi -> (forall y, `|psi y| <= D * expR (c * `|y|)) ->
  `|gauss_expect m s psi| <= D * box_moment c M s1 s2.
Proof.
move=> s10 s1s ss2 mM mpsi bnd.
have s0 : 0 < s := lt_le_trans s10 s1s.
have s20 : 0 < s2 := lt_le_trans s0 ss2.
apply: le_trans (gauss_expect_abs_le m s0 mpsi bnd) _.
apply: ler_wpmul2l; first exact: bound_ge0 (bnd 0).
have ie := @gauss_integrable_expR_abs m s c s0.
have [md _] := gauss_dom_integrable 1 c M s1 s20.
rewrite /gauss_expect /box_moment; apply: fine_le.
- by apply: integral_fune_fin_num => //; exact: ie.
- have gi := gauss_dom_integrable 1 c M s1 s20.
  exact: (integral_fune_fin_num _ gi).
apply: ge0_le_integral => //.
- move=> y _; rewrite lee_fin; apply: mulr_ge0; apply: ltW.
    exact: expR_gt0.
  exact: gauss_pdf_gt0.
- by case: ie.
- move=> y _; rewrite lee_fin /gauss_dom.
  apply: mulr_ge0; last exact: ltW (expR_gt0 _).
  rewrite mul1r invr_ge0 mulr_ge0 ?(ltW s10)//; exact: ltW gauss_const_gt0.
move=> y _; rewrite lee_fin.
by have := @gauss_dom_le 1 c M s1 s2 m s y s10 s1s ss2 mM ler01; rewrite mul1r.
Qed.

(** By induction on the parameters: (1) the bound [|E_n[h]| <= C K^n],
    [K = box_moment c M s1 s2]; (2) continuity of [x |-> E_n[H x]] for a
    family continuous in [x] and in each coordinate.  The step for (2)
    applies (2) twice at rank [n] (continuity in the new coordinate, for
    measurability, and in the parameter) and (1) for the domination. *)
Lemma box_regular (c M s1 s2 : R) ms : 0 < s1 -> in_box M s1 s2 ms ->
  (forall (h : seq R -> R) (C : R), sep_continuous h ->
     (forall xs, `|h xs| <= C * expR (c * norm1 xs)) ->
     `|gauss_expect_n ms h| <= C * box_moment c M s1 s2 ^+ size ms) /\
  (forall (H : R -> seq R -> R) (C : R), (forall x, sep_continuous (H x)) ->
     (forall xs, continuous (H ^~ xs)) ->
     (forall x xs, `|H x xs| <= C * expR (c * `|x|) * expR (c * norm1 xs)) ->
     continuous (fun x => gauss_expect_n ms (H x))).
Proof.
move=> s10; elim: ms => [|[m s] ms IH] /=.
  move=> _; split; last by move=> H C _ cH _; exact: cH.
  by move=> h C _ hb; apply: le_trans (hb [::]) _; rewrite expR_norm1_nil expr0.
move=> /andP[/and3P[s1s ss2 mM] /IH[IHQ IHP]].
have s0 : 0 < s := lt_le_trans s10 s1s.
set K := box_moment c M s1 s2.
split.
  move=> h C sh hb.
  have hb' x xs : `|h (x :: xs)| <= C * expR (c * `|x|) * expR (c * norm1 xs).
    by rewrite -mulrA -expR_norm1_cons.
  apply: le_trans (@gauss_expect_box_le m s _ (C * K ^+ size ms) c M s1 s2
    s10 s1s ss2 mM _ _) _.
  - apply: continuous_measurable_fun.
    apply: (IHP (fun x xs => h (x :: xs)) C) => //.
      by move=> x xs ys; exact: (sh (x :: xs) ys).
    by move=> xs; exact: (sh [::] xs).
  - move=> x; rewrite mulrAC.
    apply: (IHQ (fun xs => h (x :: xs)) (C * expR (c * `|x|))) => //.
    by move=> xs ys; exact: (sh (x :: xs) ys).
  - by rewrite exprSr mulrA.
move=> H C sH cH Hb.
have Hb' x y zs : `|H x (y :: zs)| <=
    C * expR (c * `|x|) * expR (c * `|y|) * expR (c * norm1 zs).
  by rewrite -mulrA -expR_norm1_cons.
apply: (@gauss_expect_continuous m s
  (fun x y => gauss_expect_n ms (fun zs => H x (y :: zs)))
  (C * K ^+ size ms) c s0).
- move=> x; apply: continuous_measurable_fun.
  apply: (IHP (fun y zs => H x (y :: zs)) (C * expR (c * `|x|))) => //.
    by move=> y xs ys; exact: (sH x (y :: xs) ys).
  by move=> zs; exact: (sH x [::] zs).
- move=> y; apply: (IHP (fun x zs => H x (y :: zs)) (C * expR (c * `|y|))) => //.
    by move=> x xs ys; exact: (sH x (y :: xs) ys).
  by move=> x zs; rewrite (mulrAC C).
- move=> x y.
  have -> : C * K ^+ size ms * expR (c * `|x|) * expR (c * `|y|) =
      C * expR (c * `|x|) * expR (c * `|y|) * K ^+ size ms.
    move: (K ^+ size ms) (expR (c * `|x|)) (expR (c * `|y|)) => K' ex ey.
    by to_std; ring.
  apply: (IHQ (fun zs => H x (y :: zs))) => //.
  by move=> xs ys; exact: (sH x (y :: xs) ys).
Qed.

(** The inner expectation of a regular function is measurable, exponentially
    bounded, hence integrable against any Gaussian. *)
Lemma box_inner_regular (c M s1 s2 : R) ms (g : seq R -> R) (C : R) :
  0 < s1 -> in_box M s1 s2 ms -> sep_continuous g ->
  (forall xs, `|g xs| <= C * expR (c * norm1 xs)) ->
  measurable_fun setT (fun x => gauss_expect_n ms (fun xs => g (x :: xs))) /\
  forall x, `|gauss_expect_n ms (fun xs => g (x :: xs))| <=
    C * box_moment c M s1 s2 ^+ size ms * expR (c * `|x|).
Proof.
move=> s10 box sg gb; have [Q P] := box_regular c s10 box.
have gb' x xs : `|g (x :: xs)| <= C * expR (c * `|x|) * expR (c * norm1 xs).
  by rewrite -mulrA -expR_norm1_cons.
split.
  apply: continuous_measurable_fun.
  apply: (P (fun x xs => g (x :: xs)) C) => //.
    by move=> x xs ys; exact: (sg (x :: xs) ys).
  by move=> xs; exact: (sg [::] xs).
move=> x; rewrite mulrAC.
apply: (Q (fun xs => g (x :: xs)) (C * expR (c * `|x|))) => //.
by move=> xs ys; exact: (sg (x :: xs) ys).
Qed.

(** * Pathwise gradient for n-dimensional standard noise

    d/dt E_{e ~ N(0, I_n)}[f t e] = E[df t e] on [`]a, b[], when [f t] and
    [df t] are continuous in each coordinate of [e] and bounded by
    [C exp(c |e|_1)] there. *)
Theorem std_pathwise_swap n (f df : R -> seq R -> R) (a b C c : R) :
  (forall e t, t \in `]a, b[ -> is_derive t 1 (f ^~ e) (df t e)) ->
  (forall t, t \in `]a, b[ -> sep_continuous (f t)) ->
  (forall t, t \in `]a, b[ -> sep_continuous (df t)) ->
  (forall e t, t \in `]a, b[ -> `|f t e| <= C * expR (c * norm1 e)) ->
  (forall e t, t \in `]a, b[ -> `|df t e| <= C * expR (c * norm1 e)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => std_gauss_expect n (f th)) (std_gauss_expect n (df t)).
Proof.
elim: n f df C => [|n IH] f df C derf sf sdf bf bdf t tab; first exact: derf.
pose F th x := std_gauss_expect n (fun xs => f th (x :: xs)).
pose DF th x := std_gauss_expect n (fun xs => df th (x :: xs)).
pose K := box_moment c 0 1 1.
have reg g : sep_continuous g -> (forall xs, `|g xs| <= C * expR (c * norm1 xs)) ->
    measurable_fun setT (fun x => std_gauss_expect n (fun xs => g (x :: xs))) /\
    forall x, `|std_gauss_expect n (fun xs => g (x :: xs))| <=
      C * K ^+ n * expR (c * `|x|).
  by move=> sg gb; have := box_inner_regular ltr01 (std_in_box n) sg gb;
    rewrite size_nseq.
apply: (@pathwise_swap_growth 0 1 F DF a b (C * K ^+ n) c ltr01) => //.
- move=> th thab; have [mF bF] := reg _ (sf th thab) (fun e => bf e th thab).
  exact: (@gauss_integrable_expR 0 1 (C * K ^+ n) c _ ltr01 mF bF).
- move=> x th thab.
  apply: (IH (fun th xs => f th (x :: xs)) (fun th xs => df th (x :: xs))
    (C * expR (c * `|x|))) => //.
  + by move=> th' th'ab xs ys; exact: (sf th' th'ab (x :: xs) ys).
  + by move=> th' th'ab xs ys; exact: (sdf th' th'ab (x :: xs) ys).
  + by move=> e th' th'ab; rewrite -mulrA -expR_norm1_cons; exact: bf.
  + by move=> e th' th'ab; rewrite -mulrA -expR_norm1_cons; exact: bdf.
- move=> x th thab.
  by have [_ ->] := reg _ (sdf th thab) (fun e => bdf e th thab).
Qed.

(** * Vector version

    For [f] on vectors ['I_n -> R] (as in ExpectationSwap.v), the noise is
    read from the draws by [vec_of_seq n] (entry [i] is the [i]-th draw);
    the hypotheses are continuity along each entry ([vec_upd]) and the bound
    [C exp(c sum_i |v i|)]. *)
Definition vec_of_seq n (e : seq R) : 'I_n -> R := fun i => nth 0 e i.
Arguments vec_of_seq : clear implicits.

Lemma norm1_ge0 xs : 0 <= norm1 xs.
Proof. by rewrite /norm1; apply: sumr_ge0 => x _; exact: normr_ge0. Qed.

Lemma sum_vec_of_seq_le n e : \sum_(i < n) `|vec_of_seq n e i| <= norm1 e.
Proof.
rewrite /vec_of_seq; elim: e n => [|x e IH] [|n].
- by rewrite big_ord0 norm1_ge0.
- by rewrite big1 ?norm1_ge0// => i _; rewrite nth_nil normr0.
- by rewrite big_ord0 norm1_ge0.
by rewrite big_ord_recl /norm1 big_cons ler_add2l; exact: IH.
Qed.

(** Changing one draw changes at most one entry. *)
Lemma vec_of_seq_cat n xs y ys (i : 'I_n) : nat_of_ord i = size xs ->
  vec_of_seq n (xs ++ y :: ys) = vec_upd (vec_of_seq n (xs ++ 0 :: ys)) i y.
Proof.
move=> ixs; apply: funext => j; rewrite /vec_of_seq /vec_upd !nth_cat.
case: eqP => [->|/eqP ji]; first by rewrite ixs ltnn subnn.
case: ltnP => // jxs; move: ji; rewrite -(inj_eq val_inj)/= ixs => ji.
have : (0 < j - size xs)%N by rewrite subn_gt0 ltn_neqAle eq_sym ji jxs.
by case: (j - size xs)%N.
Qed.

Lemma sep_continuous_vec n (g : ('I_n -> R) -> R) :
  (forall v i, continuous (fun y => g (vec_upd v i y))) ->
  sep_continuous (fun e => g (vec_of_seq n e)).
Proof.
move=> cg xs ys; case: (ltnP (size xs) n) => [xn|nx].
  have E y : g (vec_of_seq n (xs ++ y :: ys)) =
      g (vec_upd (vec_of_seq n (xs ++ 0 :: ys)) (Ordinal xn) y).
    by rewrite (@vec_of_seq_cat _ _ _ _ (Ordinal xn)).
  by move=> x; rewrite (funext E) E; exact: cg.
have E y : g (vec_of_seq n (xs ++ y :: ys)) = g (vec_of_seq n (xs ++ 0 :: ys)).
  congr g; apply: funext => j.
  by rewrite /vec_of_seq !nth_cat (leq_trans (ltn_ord j) nx).
by move=> x; rewrite (funext E) E; exact: cst_continuous.
Qed.

Corollary std_pathwise_swap_vec n (f df : R -> ('I_n -> R) -> R) (a b C c : R) :
  0 <= c ->
  (forall v t, t \in `]a, b[ -> is_derive t 1 (f ^~ v) (df t v)) ->
  (forall t, t \in `]a, b[ -> forall v i, continuous (fun y => f t (vec_upd v i y))) ->
  (forall t, t \in `]a, b[ -> forall v i, continuous (fun y => df t (vec_upd v i y))) ->
  (forall v t, t \in `]a, b[ -> `|f t v| <= C * expR (c * \sum_i `|v i|)) ->
  (forall v t, t \in `]a, b[ -> `|df t v| <= C * expR (c * \sum_i `|v i|)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => std_gauss_expect n (fun e => f th (vec_of_seq n e)))
    (std_gauss_expect n (fun e => df t (vec_of_seq n e))).
Proof.
move=> c0 derf cf cdf bf bdf.
have le_norm1 e : expR (c * \sum_i `|vec_of_seq n e i|) <= expR (c * norm1 e).
  by rewrite ler_expR ler_wpmul2l// sum_vec_of_seq_le.
have C0 t : t \in `]a, b[ -> 0 <= C.
  by move=> tab; exact: bound_ge0 (bf (fun=> 0) t tab).
apply: (@std_pathwise_swap n (fun th e => f th (vec_of_seq n e))
  (fun th e => df th (vec_of_seq n e)) a b C c).
- by move=> t tab; apply: sep_continuous_vec; exact: cf.
- by move=> t tab; apply: sep_continuous_vec; exact: cdf.
- move=> e t tab; apply: le_trans (bf _ _ tab) _.
  by apply: ler_wpmul2l; [exact: C0 tab|exact: le_norm1].
move=> e t tab; apply: le_trans (bdf _ _ tab) _.
by apply: ler_wpmul2l; [exact: C0 tab|exact: le_norm1].
Qed.

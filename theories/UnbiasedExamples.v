(** * The preconditions of the unbiasedness theorem hold: examples

    This file shows that the named preconditions of [backprop_unbiased]
    (Unbiased.v) are satisfiable, on concrete graphs, and proves the
    analytic lemmas that make them checkable:

    - [gauss_tail]: a Gaussian density with mean in [[-M, M]] and standard
      deviation in [[s0, s1]], times [(1+x^2)^2], is below [K e^(-|x|)]
      uniformly; with [Lintegrable_exp_bound] (Stochastic.v) this gives the
      integrability and the integrable dominating functions.
    - [gauss_poly_integrable]: a Gaussian density times a continuous
      function of at most [(1+x^2)^2] growth is Lebesgue integrable.
    - [ex1]: the score-function case, [x ~ N(theta, (e^theta)^2)] with cost
      [x * x]; [ex1_unbiased]: for every [theta] and every interval around
      it, the derivative of E[x^2] is E[backprop], all preconditions
      proved.
    - [ex2]: pure reparameterization, two layers: [z ~ N(0, 1)],
      [p = sigmoid (w2 * softplus (w1 * z + b1) + b2)], cost the Bernoulli
      negative log-likelihood of an observation [y]; [ex2_unbiased]: for
      every value of the inputs and each of the four parameters, all
      preconditions proved. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Lia Lra.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed Backprop.
From Certigrad Require Import Stochastic StochasticPre OpsJvp Unbiased.
Import ListNotations.
Local Open Scope string_scope.
Local Open Scope R_scope.

(** * Analytic lemmas *)

Lemma exp_le_mono (x y : R) : x <= y -> exp x <= exp y.
Proof.
  intros H. destruct (Rle_lt_or_eq_dec _ _ H) as [Hlt| ->]; [|lra].
  left. apply exp_increasing, Hlt.
Qed.

Lemma poly_exp_bound (A : R) : 0 < A ->
  exists K, forall u, (1 + u * u) * (1 + u * u) * exp (- (A * (u * u))) <= K * exp (- Rabs u).
Proof.
  intros HA.
  set (C1 := Rmax 1 (4 / A)).
  exists (C1 * C1 * exp (/ (2 * A))).
  intros u.
  assert (HC1 : 1 <= C1) by apply Rmax_l.
  assert (HC2 : 4 / A <= C1) by apply Rmax_r.
  set (w := A * (u * u) / 4).
  assert (Hw : 0 <= w) by (unfold w; apply Rmult_le_pos; [apply Rmult_le_pos; [lra|nra]|lra]).
  assert (H1 : 1 + u * u <= C1 * exp w).
  { apply Rle_trans with (C1 * (1 + w)).
    - assert (HCA : 1 <= C1 * A / 4).
      { apply Rmult_le_reg_r with (4 / A); [apply Rdiv_lt_0_compat; lra|].
        replace (C1 * A / 4 * (4 / A)) with C1 by (field; lra). lra. }
      unfold w. nra.
    - apply Rmult_le_compat_l; [lra|]. apply exp_ineq1_le. }
  assert (H0 : 0 <= 1 + u * u) by nra.
  apply Rle_trans with (C1 * exp w * (C1 * exp w) * exp (- (A * (u * u)))).
  { apply Rmult_le_compat_r; [left; apply exp_pos|].
    apply Rmult_le_compat; auto. }
  assert (E : exp w * exp w * exp (- (A * (u * u))) = exp (- (A * (u * u)) / 2)).
  { rewrite <- !exp_plus. f_equal. unfold w. field. }
  replace (C1 * exp w * (C1 * exp w) * exp (- (A * (u * u))))
    with (C1 * C1 * (exp w * exp w * exp (- (A * (u * u))))) by ring.
  rewrite E.
  replace (C1 * C1 * exp (/ (2 * A)) * exp (- Rabs u))
    with (C1 * C1 * (exp (/ (2 * A)) * exp (- Rabs u))) by ring.
  apply Rmult_le_compat_l; [nra|].
  rewrite <- exp_plus. apply exp_le_mono.
  assert (Hsq : 0 <= (A * Rabs u - 1) * (A * Rabs u - 1)) by apply Rle_0_sqr.
  assert (Hu2 : Rabs u * Rabs u = u * u) by (rewrite <- Rabs_mult; apply Rabs_pos_eq; nra).
  apply Rmult_le_reg_r with (2 * A); [lra|].
  replace ((- (A * (u * u)) / 2) * (2 * A)) with (- (A * A * (u * u))) by (field; lra).
  replace ((/ (2 * A) + - Rabs u) * (2 * A)) with (1 - 2 * A * Rabs u) by (field; lra).
  rewrite <- Hu2. nra.
Qed.

(** A Gaussian density times [(1+x^2)^2], uniformly for a mean in
    [-M, M] and a standard deviation in [s0, s1], is below [K e^(-|x|)]. *)
Lemma gauss_tail (M s0 s1 : R) : 0 < s0 -> s0 <= s1 ->
  exists K, forall m s x, Rabs m <= M -> s0 <= s <= s1 ->
    gauss_pdf m s x * ((1 + x * x) * (1 + x * x)) <= K * exp (- Rabs x).
Proof.
  intros Hs0 Hs01.
  set (A := / (2 * (s1 * s1))).
  assert (HA : 0 < A) by (apply Rinv_0_lt_compat; nra).
  destruct (poly_exp_bound A HA) as [K0 HK0].
  assert (HK0p : 0 <= K0).
  { specialize (HK0 0). rewrite Rabs_R0, Ropp_0, exp_0, Rmult_1_r in HK0.
    eapply Rle_trans; [|exact HK0].
    apply Rmult_le_pos; [nra|left; apply exp_pos]. }
  pose proof Unbiased.sqrt_2PI_pos as Hc.
  set (c := sqrt (2 * PI)) in *.
  set (D := 2 + 2 * (M * M)).
  exists (D * D / (s0 * c) * K0 * exp M).
  intros m s x Hm [Hs Hs1].
  assert (HM : 0 <= M) by (eapply Rle_trans; [apply Rabs_pos|exact Hm]).
  set (u := x - m).
  assert (Habs : m * m = Rabs m * Rabs m).
  { rewrite <- Rabs_mult. symmetry. apply Rabs_pos_eq. nra. }
  assert (Hm2 : m * m <= M * M) by (pose proof (Rabs_pos m); nra).
  assert (Hx2 : 1 + x * x <= D * (1 + u * u)).
  { assert (H1 : 0 <= (x - 2 * m) * (x - 2 * m)) by apply Rle_0_sqr.
    assert (H2 : 0 <= (M * u) * (M * u)) by apply Rle_0_sqr.
    unfold D, u in *. nra. }
  assert (Hpoly : (1 + x * x) * (1 + x * x) <= D * D * ((1 + u * u) * (1 + u * u))).
  { replace (D * D * ((1 + u * u) * (1 + u * u)))
      with ((D * (1 + u * u)) * (D * (1 + u * u))) by ring.
    apply Rmult_le_compat; nra. }
  assert (Hpdf : gauss_pdf m s x <= exp (- (A * (u * u))) / (s0 * c)).
  { unfold gauss_pdf. fold c. fold u. unfold Rdiv.
    apply Rmult_le_compat; [left; apply exp_pos|left; apply Rinv_0_lt_compat; nra| |].
    - apply exp_le_mono. unfold A.
      assert (Hinv : / (2 * (s1 * s1)) <= / (2 * (s * s))).
      { apply Rinv_le_contravar; nra. }
      assert (Huu : 0 <= u * u) by nra.
      replace (- (u * u) * / (2 * (s * s))) with (- (/ (2 * (s * s)) * (u * u))) by ring.
      nra.
    - apply Rinv_le_contravar; nra. }
  assert (Hexp : exp (- Rabs u) <= exp M * exp (- Rabs x)).
  { rewrite <- exp_plus. apply exp_le_mono.
    assert (Hxu : Rabs x <= Rabs u + Rabs m).
    { replace x with (u + m) by (unfold u; ring). apply Rabs_triang. }
    lra. }
  apply Rle_trans with (exp (- (A * (u * u))) / (s0 * c) * (D * D * ((1 + u * u) * (1 + u * u)))).
  { apply Rmult_le_compat; [left; apply gauss_pdf_pos; lra|nra|exact Hpdf|exact Hpoly]. }
  replace (exp (- (A * (u * u))) / (s0 * c) * (D * D * ((1 + u * u) * (1 + u * u))))
    with (D * D / (s0 * c) * ((1 + u * u) * (1 + u * u) * exp (- (A * (u * u)))))
    by (field; nra).
  replace (D * D / (s0 * c) * K0 * exp M * exp (- Rabs x))
    with (D * D / (s0 * c) * (K0 * (exp M * exp (- Rabs x)))) by ring.
  assert (HDc : 0 <= D * D / (s0 * c)) by (apply Rmult_le_pos; [nra|left; apply Rinv_0_lt_compat; nra]).
  apply Rmult_le_compat_l; [exact HDc|].
  eapply Rle_trans; [apply HK0|].
  apply Rmult_le_compat_l; [exact HK0p|exact Hexp].
Qed.

Lemma cont_of_derive (f : R -> R) : (forall x, ex_derive f x) -> forall x, continuity_pt f x.
Proof. intros H x. apply continuity_pt_filterlim. apply (ex_derive_continuous (V := R_NormedModule)), H. Qed.

(** * Example 1: the score-function estimator, N(theta, (e^theta)^2), cost x^2 *)

Definition ex1 : graph R := {|
  g_inputs := [mk_ref "theta" []];
  g_params := ["theta"];
  g_nodes := [NDet (mk_ref "sigma" []) Exp ["theta"];
              NRand (mk_ref "x" []) Mvn ["theta"; "sigma"];
              NDet (mk_ref "c" []) Mul ["x"; "x"]];
  g_costs := ["c"] |}.

Lemma ex1_check : check_graph ex1 = CheckOk.
Proof. reflexivity. Qed.



Lemma gauss_pdf_ex_derive (m s x : R) : ex_derive (gauss_pdf m s) x.
Proof. unfold gauss_pdf. auto_derive. exact I. Qed.

Lemma Lintegrable_exp_scaled (K : R) : Lintegrable (fun x => K * exp (- Rabs x)).
Proof.
  apply (Lintegrable_exp_bound _ (Rabs K)).
  - intros x. apply continuity_pt_mult; [apply continuity_pt_const; intros ? ?; reflexivity|].
    apply (continuity_pt_comp (fun x => - Rabs x) exp).
    + apply continuity_pt_opp, Rcontinuity_abs.
    + apply derivable_continuous_pt, derivable_pt_exp.
  - intros x. rewrite Rabs_mult, (Rabs_pos_eq (exp _)) by (left; apply exp_pos). lra.
Qed.

(** A Gaussian density times a continuous function of at most
    [(1+x^2)^2] growth is integrable. *)
Lemma gauss_poly_integrable (m s : R) (P : R -> R) (C : R) :
  0 < s -> (forall x, continuity_pt P x) ->
  (forall x, Rabs (P x) <= C * ((1 + x * x) * (1 + x * x))) ->
  Lintegrable (fun x => gauss_pdf m s x * P x).
Proof.
  intros Hs HP HC.
  destruct (gauss_tail (Rabs m) s s Hs (Rle_refl s)) as [K HK].
  assert (HC0 : 0 <= C).
  { specialize (HC 0). assert (H := Rabs_pos (P 0)). nra. }
  apply (Lintegrable_exp_bound _ (C * K)).
  - intros x. apply continuity_pt_mult; [|apply HP].
    apply cont_of_derive. intros y. apply gauss_pdf_ex_derive.
  - intros x. rewrite Rabs_mult, (Rabs_pos_eq (gauss_pdf m s x))
      by (left; apply gauss_pdf_pos, Hs).
    apply Rle_trans with (gauss_pdf m s x * (C * ((1 + x * x) * (1 + x * x)))).
    { apply Rmult_le_compat_l; [left; apply gauss_pdf_pos, Hs|apply HC]. }
    replace (gauss_pdf m s x * (C * ((1 + x * x) * (1 + x * x))))
      with (C * (gauss_pdf m s x * ((1 + x * x) * (1 + x * x)))) by ring.
    rewrite Rmult_assoc. apply Rmult_le_compat_l; [exact HC0|].
    apply HK; [apply Rle_refl|lra].
Qed.

Lemma abs_le_1_sq (y : R) : Rabs y <= 1 + y * y.
Proof.
  destruct (Rle_or_lt 0 y).
  - rewrite Rabs_pos_eq by lra. nra.
  - rewrite Rabs_left by lra. nra.
Qed.

Lemma score_bound (M s0 s1 t s x : R) : 0 < s0 -> Rabs t <= M -> s0 <= s <= s1 ->
  Rabs (gauss_score t s x 1 s) <= (5 + 4 * (M * M) + s1 * s1) / (s0 * s0) * (1 + x * x).
Proof.
  intros Hs0 Ht [Hs Hs1].
  set (y := x - t).
  assert (Hsc : gauss_score t s x 1 s = (y + y * y - s * s) / (s * s)).
  { unfold gauss_score. fold y. field. lra. }
  rewrite Hsc. unfold Rdiv. rewrite Rabs_mult, (Rabs_pos_eq (/ (s * s)))
    by (left; apply Rinv_0_lt_compat; nra).
  assert (Hy : Rabs y <= 1 + y * y) by apply abs_le_1_sq.
  assert (Ht2 : t * t <= M * M).
  { assert (E : t * t = Rabs t * Rabs t).
    { rewrite <- Rabs_mult. symmetry. apply Rabs_pos_eq. nra. }
    pose proof (Rabs_pos t). nra. }
  assert (Hy2 : y * y <= 2 * (x * x) + 2 * (M * M)).
  { assert (0 <= (x + t) * (x + t)) by apply Rle_0_sqr. unfold y. nra. }
  assert (HN : Rabs (y + y * y - s * s) <= (5 + 4 * (M * M) + s1 * s1) * (1 + x * x)).
  { eapply Rle_trans; [apply Rabs_triang|].
    rewrite Rabs_Ropp, (Rabs_pos_eq (s * s)) by nra.
    eapply Rle_trans; [apply Rplus_le_compat_r, Rabs_triang|].
    rewrite (Rabs_pos_eq (y * y)) by nra.
    assert (0 <= M * M) by nra. assert (0 <= x * x) by nra.
    assert (s * s <= s1 * s1) by nra. nra. }
  apply Rle_trans with ((5 + 4 * (M * M) + s1 * s1) * (1 + x * x) * / (s0 * s0)).
  - apply Rmult_le_compat; [apply Rabs_pos|left; apply Rinv_0_lt_compat; nra|exact HN|].
    apply Rinv_le_contravar; nra.
  - unfold Rdiv. lra.
Qed.

Section Ex1.
Variables th a b : R.
Hypothesis Hab : a < th < b.

Lemma ex1_domains : reachable_domains ex1 [("theta", [th])] "theta" 0 a b.
Proof.
  unfold reachable_domains, input_curve. simpl.
  repeat split; intros; unfold op_domain_holds; simpl; auto.
  constructor; [apply exp_pos|constructor].
Qed.

Lemma ex1_integrable : is_gintegrable ex1 [("theta", [th])] "theta" 0 a b.
Proof.
  unfold is_gintegrable, pgraph, input_curve. simpl.
  unfold cost_of, total_cost, vmul. simpl.
  split; [|intros; exact I].
  intros t Ht. apply (gauss_poly_integrable _ _ _ 1); [apply exp_pos| |].
  - apply cont_of_derive. intros x. auto_derive. exact I.
  - intros x. rewrite Rplus_0_l, Rabs_pos_eq by nra. nra.
Qed.

Lemma ex1_derive (x t : R) :
  is_derive (fun s => gauss_pdf s (exp s) x * (0 + x * x)) t
    (gauss_pdf t (exp t) x * gauss_score t (exp t) x 1 (exp t) * (0 + x * x)).
Proof.
  eapply is_derive_eq.
  - apply (D_mult (fun s => gauss_pdf s (exp s) x) (fun _ => 0 + x * x)); [|apply D_const].
    apply (gauss_pdf_derive (fun s => s) exp 1 (exp t) x t (exp_pos t)).
    + apply (is_derive_id (K := R_AbsRing)).
    + apply D_exp.
  - ring.
Qed.

Lemma ex1_dominated : can_differentiate_under_integrals ex1 [("theta", [th])] "theta" 0 a b.
Proof.
  unfold can_differentiate_under_integrals, pgraph, input_curve. simpl.
  unfold cost_of, total_cost, vmul. simpl.
  split; [|intros; exact I].
  set (M := Rmax (Rabs a) (Rabs b)).
  set (s0 := exp a). set (s1 := exp b).
  assert (Hs0 : 0 < s0) by apply exp_pos.
  assert (Hs01 : s0 <= s1) by (left; apply exp_increasing; lra).
  destruct (gauss_tail M s0 s1 Hs0 Hs01) as [K HK].
  set (C := (5 + 4 * (M * M) + s1 * s1) / (s0 * s0)).
  assert (HC : 0 <= C).
  { unfold C. apply Rmult_le_pos; [|left; apply Rinv_0_lt_compat; nra].
    assert (0 <= M * M) by nra. assert (0 <= s1 * s1) by nra. lra. }
  exists (fun x => C * K * exp (- Rabs x)). split; [apply Lintegrable_exp_scaled|].
  intros x t Ht.
  assert (HtM : Rabs t <= M).
  { unfold M. destruct (Rle_or_lt 0 t).
    - rewrite Rabs_pos_eq by lra. eapply Rle_trans; [|apply Rmax_r].
      rewrite Rabs_pos_eq by lra. lra.
    - rewrite Rabs_left by lra. eapply Rle_trans; [|apply Rmax_l].
      rewrite Rabs_left by lra. lra. }
  assert (Hst : s0 <= exp t <= s1).
  { unfold s0, s1. split; left; apply exp_increasing; lra. }
  replace (Derive (fun s => gauss_pdf s (exp s) x * (0 + x * x)) t)
    with (gauss_pdf t (exp t) x * gauss_score t (exp t) x 1 (exp t) * (0 + x * x))
    by (symmetry; apply is_derive_unique, ex1_derive).
  pose proof (gauss_pdf_pos t (exp t) x (exp_pos t)) as Hp.
  pose proof (score_bound M s0 s1 t (exp t) x Hs0 HtM Hst) as Hsc. fold C in Hsc.
  rewrite !Rabs_mult, (Rabs_pos_eq (gauss_pdf _ _ _)) by lra.
  rewrite (Rabs_pos_eq (0 + x * x)) by nra.
  apply Rle_trans with (C * (gauss_pdf t (exp t) x * ((1 + x * x) * (1 + x * x)))).
  - assert (Hxx : 0 + x * x <= 1 + x * x) by lra.
    assert (0 <= x * x) by nra.
    assert (H0 := Rabs_pos (gauss_score t (exp t) x 1 (exp t))).
    replace (C * (gauss_pdf t (exp t) x * ((1 + x * x) * (1 + x * x))))
      with (gauss_pdf t (exp t) x * ((C * (1 + x * x)) * (1 + x * x))) by ring.
    rewrite Rmult_assoc. apply Rmult_le_compat_l; [lra|].
    apply Rmult_le_compat; [exact H0|lra|exact Hsc|exact Hxx].
  - rewrite Rmult_assoc. apply Rmult_le_compat_l; [exact HC|]. apply HK; [exact HtM|exact Hst].
Qed.

Theorem ex1_unbiased :
  is_derive (fun t => expected_cost ex1 (set_input_entry [("theta", [th])] "theta" 0 t)) th
    (expected_grad ex1 [("theta", [th])] "theta" 0).
Proof.
  apply (backprop_unbiased ex1 [("theta", [th])] "theta" 0%nat a b).
  - reflexivity.
  - unfold inputs_fit. simpl. constructor; [|constructor]. exists [th]. simpl. auto.
  - simpl. auto.
  - simpl. lia.
  - exact Hab.
  - apply ex1_domains.
  - apply ex1_integrable.
  - apply ex1_dominated.
Qed.

End Ex1.

(** * Example 2: a two-layer reparameterized graph, softplus and a Bernoulli NLL

    [z ~ N(0, 1)] ([mvn_std]), [u1 = w1 * z + b1], [h = softplus u1],
    [u2 = w2 * h + b2], [p = sigmoid u2], cost [bernoulli_neglogpdf p y].
    Parameters [w1, b1, w2, b2]; [y] an observed input.  [ex2_unbiased]:
    for every value of the inputs, every parameter and every interval
    around its value, the derivative of the expected cost is the expected
    backprop; all preconditions proved. *)

Definition ex2 : graph R := {|
  g_inputs := [mk_ref "w1" []; mk_ref "b1" []; mk_ref "w2" []; mk_ref "b2" []; mk_ref "y" []];
  g_params := ["w1"; "b1"; "w2"; "b2"];
  g_nodes := [NRand (mk_ref "z" []) MvnStd [];
              NDet (mk_ref "u1" []) MulAdd ["w1"; "z"; "b1"];
              NDet (mk_ref "h" []) Softplus ["u1"];
              NDet (mk_ref "u2" []) MulAdd ["w2"; "h"; "b2"];
              NDet (mk_ref "p" []) Sigmoid ["u2"];
              NDet (mk_ref "c" []) BernoulliNeglogpdf ["p"; "y"]];
  g_costs := ["c"] |}.

Definition ex2_inputs (w1 b1 w2 b2 y : R) : env R :=
  [("w1", [w1]); ("b1", [b1]); ("w2", [w2]); ("b2", [b2]); ("y", [y])].

Lemma ex2_check : check_graph ex2 = CheckOk.
Proof. reflexivity. Qed.

(** ** Sigmoid, softplus and the Bernoulli negative log-likelihood *)

Lemma one_plus_exp_pos (v : R) : 0 < 1 + exp v.
Proof. generalize (exp_pos v). lra. Qed.

Lemma sigmoid_pos (u : R) : 0 < R_sigmoid u.
Proof. unfold R_sigmoid. apply Rinv_0_lt_compat, one_plus_exp_pos. Qed.

Lemma sigmoid_lt1 (u : R) : R_sigmoid u < 1.
Proof.
  unfold R_sigmoid. pose proof (exp_pos (- u)).
  apply Rmult_lt_reg_l with (1 + exp (- u)); [lra|].
  rewrite Rinv_r by lra. lra.
Qed.

Lemma sigmoid_neg (u : R) : R_sigmoid (- u) = 1 - R_sigmoid u.
Proof.
  unfold R_sigmoid. rewrite Ropp_involutive, exp_Ropp.
  pose proof (exp_pos u). field. split; lra.
Qed.

Lemma softplus_nonneg (v : R) : 0 <= R_softplus v.
Proof.
  unfold R_softplus. rewrite <- ln_1. apply ln_le; [lra|]. generalize (exp_pos v). lra.
Qed.

Lemma softplus_le (v : R) : R_softplus v <= Rabs v + 1.
Proof.
  unfold R_softplus. rewrite <- (ln_exp (Rabs v + 1)).
  apply ln_le; [apply one_plus_exp_pos|].
  rewrite exp_plus.
  assert (H1 : 1 <= exp (Rabs v)) by (rewrite <- exp_0; apply exp_le_mono, Rabs_pos).
  assert (H2 : exp v <= exp (Rabs v)) by (apply exp_le_mono, Rle_abs).
  assert (H3 : 2 <= exp 1) by (generalize (exp_ineq1_le 1); lra).
  nra.
Qed.

Lemma ln_sigmoid (u : R) : ln (R_sigmoid u) = - R_softplus (- u).
Proof. unfold R_sigmoid, R_softplus. rewrite ln_Rinv by apply one_plus_exp_pos. reflexivity. Qed.

Lemma ln_one_minus_sigmoid (u : R) : ln (1 - R_sigmoid u) = - R_softplus u.
Proof.
  rewrite <- sigmoid_neg, ln_sigmoid, Ropp_involutive. reflexivity.
Qed.

Section Bernoulli.
Variable y : R.

(** The total cost of the graph below, as a function of the logit [u]. *)
Definition bern_cost (u : R) : R :=
  0 + - vsum R_ops [y * ln (R_sigmoid u) + (1 - y) * ln (1 - R_sigmoid u)].

Lemma bern_cost_eq (u : R) : bern_cost u = y * R_softplus (- u) + (1 - y) * R_softplus u.
Proof.
  unfold bern_cost, vsum. simpl. rewrite ln_sigmoid, ln_one_minus_sigmoid. ring.
Qed.

Lemma bern_cost_bound (u : R) : Rabs (bern_cost u) <= (Rabs y + Rabs (1 - y)) * (Rabs u + 1).
Proof.
  rewrite bern_cost_eq.
  eapply Rle_trans; [apply Rabs_triang|]. rewrite !Rabs_mult.
  rewrite (Rabs_pos_eq (R_softplus (- u))), (Rabs_pos_eq (R_softplus u))
    by apply softplus_nonneg.
  pose proof (softplus_le (- u)) as H1. rewrite Rabs_Ropp in H1.
  pose proof (softplus_le u) as H2.
  pose proof (Rabs_pos y). pose proof (Rabs_pos (1 - y)).
  nra.
Qed.

Lemma bern_cost_derive (u : R) : is_derive bern_cost u (R_sigmoid u - y).
Proof.
  apply (is_derive_ext (fun v => y * R_softplus (- v) + (1 - y) * R_softplus v)).
  { intros v. symmetry. apply bern_cost_eq. }
  eapply is_derive_eq.
  - apply (D_plus (fun v => y * R_softplus (- v)) (fun v => (1 - y) * R_softplus v)).
    + apply (D_mult (fun _ => y) (fun v => R_softplus (- v))); [apply D_const|].
      apply (D_comp R_softplus (R_sigmoid (- u)) (fun v => - v) (-1) u).
      * apply D_softplus.
      * eapply is_derive_eq; [apply D_opp, (is_derive_id (K := R_AbsRing))|reflexivity].
    + apply (D_mult (fun _ => 1 - y) R_softplus); [apply D_const|apply D_softplus].
  - rewrite sigmoid_neg. ring.
Qed.

End Bernoulli.

(** ** A single standard-normal draw feeding a Bernoulli NLL of a logit *)

Lemma bern_family (y a b : R) (U dU : R -> R -> R) (C0 : R) :
  0 <= C0 ->
  (forall t x, is_derive (fun s => U s x) t (dU t x)) ->
  (forall t x, ex_derive (fun x => U t x) x) ->
  (forall t x, a < t < b -> Rabs (dU t x) <= C0 * (1 + x * x)) ->
  (forall t x, a < t < b -> Rabs (U t x) <= C0 * (1 + x * x)) ->
  (forall t, a < t < b -> Lintegrable (fun x => gauss_pdf 0 1 x * bern_cost y (U t x))) /\
  (exists G, Lintegrable G /\ forall x t, a < t < b ->
     Rabs (Derive (fun s => gauss_pdf 0 1 x * bern_cost y (U s x)) t) <= G x).
Proof.
  intros HC0 HdU HexU HbdU HbU.
  set (Y := Rabs y + Rabs (1 - y)).
  assert (HY : 0 <= Y) by (unfold Y; pose proof (Rabs_pos y); pose proof (Rabs_pos (1 - y)); lra).
  split.
  - intros t Ht. apply (gauss_poly_integrable 0 1 _ (Y * (C0 + 1))); [lra| |].
    + apply cont_of_derive. intros x.
      destruct (HexU t x) as [d Hd].
      exists ((R_sigmoid (U t x) - y) * d).
      eapply is_derive_eq;
        [apply (D_comp (bern_cost y) (R_sigmoid (U t x) - y) (fun x => U t x) d x)|ring].
      * apply bern_cost_derive.
      * exact Hd.
    + intros x. eapply Rle_trans; [apply bern_cost_bound|]. fold Y.
      specialize (HbU t x Ht). assert (0 <= x * x) by nra.
      assert (Hu1 : Rabs (U t x) + 1 <= (C0 + 1) * (1 + x * x)) by nra.
      apply Rle_trans with (Y * ((C0 + 1) * (1 + x * x))); [apply Rmult_le_compat_l; lra|].
      replace (Y * (C0 + 1) * ((1 + x * x) * (1 + x * x)))
        with (Y * ((C0 + 1) * (1 + x * x)) * (1 + x * x)) by ring.
      assert (0 <= Y * ((C0 + 1) * (1 + x * x))) by (apply Rmult_le_pos; nra).
      nra.
  - destruct (gauss_tail 0 1 1 Rlt_0_1 (Rle_refl 1)) as [K HK].
    exists (fun x => (1 + Rabs y) * C0 * K * exp (- Rabs x)).
    split; [apply Lintegrable_exp_scaled|].
    intros x t Ht.
    assert (HD : is_derive (fun s => gauss_pdf 0 1 x * bern_cost y (U s x)) t
                   (gauss_pdf 0 1 x * ((R_sigmoid (U t x) - y) * dU t x))).
    { eapply is_derive_eq.
      - apply (D_mult (fun _ => gauss_pdf 0 1 x) (fun s => bern_cost y (U s x))); [apply D_const|].
        apply (D_comp (bern_cost y) (R_sigmoid (U t x) - y) (fun s => U s x) (dU t x) t);
          [apply bern_cost_derive|apply HdU].
      - ring. }
    replace (Derive (fun s => gauss_pdf 0 1 x * bern_cost y (U s x)) t)
      with (gauss_pdf 0 1 x * ((R_sigmoid (U t x) - y) * dU t x))
      by (symmetry; apply is_derive_unique, HD).
    pose proof (gauss_pdf_pos 0 1 x Rlt_0_1) as Hp.
    assert (Hsig : Rabs (R_sigmoid (U t x) - y) <= 1 + Rabs y).
    { eapply Rle_trans; [apply Rabs_triang|]. rewrite Rabs_Ropp.
      rewrite Rabs_pos_eq by (left; apply sigmoid_pos).
      pose proof (sigmoid_lt1 (U t x)). lra. }
    rewrite !Rabs_mult, (Rabs_pos_eq (gauss_pdf 0 1 x)) by lra.
    pose proof (HbdU t x Ht) as HdUb. pose proof (Rabs_pos (dU t x)).
    pose proof (Rabs_pos (R_sigmoid (U t x) - y)). assert (0 <= x * x) by nra.
    apply Rle_trans with ((1 + Rabs y) * C0 * (gauss_pdf 0 1 x * ((1 + x * x) * (1 + x * x)))).
    + replace ((1 + Rabs y) * C0 * (gauss_pdf 0 1 x * ((1 + x * x) * (1 + x * x))))
        with (gauss_pdf 0 1 x * ((1 + Rabs y) * (C0 * (1 + x * x)) * (1 + x * x))) by ring.
      apply Rmult_le_compat_l; [lra|].
      assert (Hxx : 1 <= 1 + x * x) by lra.
      apply Rle_trans with ((1 + Rabs y) * (C0 * (1 + x * x))).
      * apply Rmult_le_compat; [lra|lra|exact Hsig|exact HdUb].
      * assert (0 <= (1 + Rabs y) * (C0 * (1 + x * x))).
        { apply Rmult_le_pos; [pose proof (Rabs_pos y); lra|nra]. }
        nra.
    + replace ((1 + Rabs y) * C0 * K * exp (- Rabs x))
        with ((1 + Rabs y) * C0 * (K * exp (- Rabs x))) by ring.
      apply Rmult_le_compat_l.
      * apply Rmult_le_pos; [pose proof (Rabs_pos y); lra|lra].
      * apply HK; [rewrite Rabs_R0; lra|lra].
Qed.

(** ** The logit [alpha * softplus (beta * x + gamma) + delta] *)

Lemma logit_ex_derive (al be ga de x : R) :
  ex_derive (fun x => al * R_softplus (be * x + ga) + de) x.
Proof.
  exists (al * (R_sigmoid (be * x + ga) * be)).
  eapply is_derive_eq.
  - apply D_plus; [|apply D_const]. apply D_mult; [apply D_const|].
    apply (D_comp R_softplus (R_sigmoid (be * x + ga)) (fun x => be * x + ga) be x).
    + apply D_softplus.
    + eapply is_derive_eq.
      * apply D_plus; [apply D_mult; [apply D_const|apply (is_derive_id (K := R_AbsRing))]|apply D_const].
      * change (x * 0 + be * 1 + 0 = be). ring.
  - cbv beta. ring.
Qed.

Lemma logit_bound (al be ga de x B : R) :
  Rabs al <= B -> Rabs be <= B -> Rabs ga <= B -> Rabs de <= B ->
  Rabs (al * R_softplus (be * x + ga) + de) <= (2 * (B * B) + 2 * B + 1) * (1 + x * x).
Proof.
  intros Ha Hb Hg Hd.
  assert (HB : 0 <= B) by (eapply Rle_trans; [apply Rabs_pos|exact Ha]).
  pose proof (abs_le_1_sq x) as Hx.
  assert (Hsp : R_softplus (be * x + ga) <= B * (1 + x * x) + B + 1).
  { eapply Rle_trans; [apply softplus_le|].
    eapply Rle_trans; [apply Rplus_le_compat_r, Rabs_triang|].
    rewrite Rabs_mult. pose proof (Rabs_pos x). pose proof (Rabs_pos be). nra. }
  pose proof (softplus_nonneg (be * x + ga)).
  eapply Rle_trans; [apply Rabs_triang|]. rewrite Rabs_mult, (Rabs_pos_eq (R_softplus _)) by lra.
  pose proof (Rabs_pos al). assert (0 <= x * x) by nra. nra.
Qed.

Section Ex2.
Variables w1 b1 w2 b2 y a b : R.

Let B := 1 + Rabs w1 + Rabs b1 + Rabs w2 + Rabs b2 + Rmax (Rabs a) (Rabs b).
Let C0 := 2 * (B * B) + 2 * B + 1.

Lemma ex2_B_pos : 1 <= B.
Proof.
  unfold B. pose proof (Rabs_pos w1). pose proof (Rabs_pos b1). pose proof (Rabs_pos w2).
  pose proof (Rabs_pos b2). pose proof (Rle_trans _ _ _ (Rabs_pos a) (Rmax_l (Rabs a) (Rabs b))).
  lra.
Qed.

Lemma ex2_C0 : 0 <= C0 /\ B <= C0.
Proof. pose proof ex2_B_pos. unfold C0. split; nra. Qed.

Lemma ex2_t (t : R) : a < t < b -> Rabs t <= B.
Proof.
  intros Ht. unfold B. pose proof (Rabs_pos w1). pose proof (Rabs_pos b1). pose proof (Rabs_pos w2).
  pose proof (Rabs_pos b2).
  assert (Rabs t <= Rmax (Rabs a) (Rabs b)).
  { destruct (Rle_or_lt 0 t).
    - rewrite Rabs_pos_eq by lra. eapply Rle_trans; [|apply Rmax_r].
      rewrite Rabs_pos_eq by lra. lra.
    - rewrite Rabs_left by lra. eapply Rle_trans; [|apply Rmax_l].
      rewrite Rabs_left by lra. lra. }
  lra.
Qed.

Lemma ex2_w1 : Rabs w1 <= B.
Proof. unfold B. pose proof (Rabs_pos b1). pose proof (Rabs_pos w2). pose proof (Rabs_pos b2).
  pose proof (Rle_trans _ _ _ (Rabs_pos a) (Rmax_l (Rabs a) (Rabs b))). lra. Qed.
Lemma ex2_b1 : Rabs b1 <= B.
Proof. unfold B. pose proof (Rabs_pos w1). pose proof (Rabs_pos w2). pose proof (Rabs_pos b2).
  pose proof (Rle_trans _ _ _ (Rabs_pos a) (Rmax_l (Rabs a) (Rabs b))). lra. Qed.
Lemma ex2_w2 : Rabs w2 <= B.
Proof. unfold B. pose proof (Rabs_pos w1). pose proof (Rabs_pos b1). pose proof (Rabs_pos b2).
  pose proof (Rle_trans _ _ _ (Rabs_pos a) (Rmax_l (Rabs a) (Rabs b))). lra. Qed.
Lemma ex2_b2 : Rabs b2 <= B.
Proof. unfold B. pose proof (Rabs_pos w1). pose proof (Rabs_pos b1). pose proof (Rabs_pos w2).
  pose proof (Rle_trans _ _ _ (Rabs_pos a) (Rmax_l (Rabs a) (Rabs b))). lra. Qed.
Lemma ex2_one : Rabs 1 <= B.
Proof. rewrite Rabs_R1. apply ex2_B_pos. Qed.

Lemma ex2_domains (p : string) : reachable_domains ex2 (ex2_inputs w1 b1 w2 b2 y) p 0 a b.
Proof.
  unfold reachable_domains, input_curve, ex2_inputs. simpl.
  split; [intros; exact I|].
  intros [|z [|]] Hz; try discriminate.
  simpl. repeat split; intros; try exact I.
  unfold op_domain_holds. simpl.
  destruct (String.eqb p "w1"), (String.eqb p "b1"), (String.eqb p "w2"), (String.eqb p "b2"),
    (String.eqb p "y"); simpl;
  (constructor; [split; [apply sigmoid_pos|apply sigmoid_lt1]|constructor]).
Qed.

Lemma ex2_pre (p : string) : In p (g_params ex2) ->
  is_gintegrable ex2 (ex2_inputs w1 b1 w2 b2 y) p 0 a b /\
  can_differentiate_under_integrals ex2 (ex2_inputs w1 b1 w2 b2 y) p 0 a b.
Proof.
  intros Hp. destruct ex2_C0 as [HC0 HBC].
  pose proof ex2_B_pos as HB1.
  pose proof ex2_w1. pose proof ex2_b1. pose proof ex2_w2. pose proof ex2_b2. pose proof ex2_one.
  assert (Hz : Rabs 0 <= B) by (rewrite Rabs_R0; lra).
  assert (Hsq : forall x, 1 <= 1 + x * x) by (intros x; nra).
  unfold is_gintegrable, can_differentiate_under_integrals, pgraph, input_curve, ex2_inputs.
  simpl in Hp. destruct Hp as [<-|[<-|[<-|[<-|[]]]]]; simpl; unfold cost_of, total_cost; simpl.
  - (* w1 *)
    destruct (bern_family y a b (fun s x => w2 * R_softplus (s * x + b1) + b2)
                (fun t x => w2 * (R_sigmoid (t * x + b1) * x)) C0 HC0) as [HI HD].
    + intros t x. eapply is_derive_eq.
      * apply D_plus; [|apply D_const]. apply D_mult; [apply D_const|].
        apply (D_comp R_softplus (R_sigmoid (t * x + b1)) (fun s => s * x + b1) x t);
          [apply D_softplus|].
        eapply is_derive_eq.
        -- apply D_plus; [apply D_mult; [apply (is_derive_id (K := R_AbsRing))|apply D_const]|apply D_const].
        -- change (x * 1 + t * 0 + 0 = x). ring.
      * cbv beta. ring.
    + intros t x. apply logit_ex_derive.
    + intros t x Ht. rewrite !Rabs_mult, (Rabs_pos_eq (R_sigmoid _)) by (left; apply sigmoid_pos).
      pose proof (sigmoid_lt1 (t * x + b1)). pose proof (sigmoid_pos (t * x + b1)).
      pose proof (abs_le_1_sq x). pose proof (Rabs_pos x). pose proof (Rabs_pos w2).
      pose proof (Hsq x).
      apply Rle_trans with (B * (1 + x * x)); [|apply Rmult_le_compat_r; lra].
      apply Rmult_le_compat; [apply Rabs_pos|nra|assumption|nra].
    + intros t x Ht. apply logit_bound; auto. apply ex2_t, Ht.
    + split; [split; [exact HI|intros; exact I]|].
      split; [exact HD|intros; exact I].
  - (* b1 *)
    destruct (bern_family y a b (fun s x => w2 * R_softplus (w1 * x + s) + b2)
                (fun t x => w2 * R_sigmoid (w1 * x + t)) C0 HC0) as [HI HD].
    + intros t x. eapply is_derive_eq.
      * apply D_plus; [|apply D_const]. apply D_mult; [apply D_const|].
        apply (D_comp R_softplus (R_sigmoid (w1 * x + t)) (fun s => w1 * x + s) 1 t);
          [apply D_softplus|].
        eapply is_derive_eq.
        -- apply D_plus; [apply D_const|apply (is_derive_id (K := R_AbsRing))].
        -- change (0 + 1 = 1). ring.
      * cbv beta. ring.
    + intros t x. apply logit_ex_derive.
    + intros t x Ht. rewrite !Rabs_mult, (Rabs_pos_eq (R_sigmoid _)) by (left; apply sigmoid_pos).
      pose proof (sigmoid_lt1 (w1 * x + t)). pose proof (sigmoid_pos (w1 * x + t)).
      pose proof (Rabs_pos w2). pose proof (Hsq x).
      apply Rle_trans with (B * 1); [apply Rmult_le_compat; lra|].
      apply Rmult_le_compat; lra.
    + intros t x Ht. apply logit_bound; auto. apply ex2_t, Ht.
    + split; [split; [exact HI|intros; exact I]|].
      split; [exact HD|intros; exact I].
  - (* w2 *)
    destruct (bern_family y a b (fun s x => s * R_softplus (w1 * x + b1) + b2)
                (fun t x => R_softplus (w1 * x + b1)) C0 HC0) as [HI HD].
    + intros t x. eapply is_derive_eq.
      * apply D_plus; [|apply D_const]. apply D_mult; [apply (is_derive_id (K := R_AbsRing))|apply D_const].
      * change (R_softplus (w1 * x + b1) * 1 + t * 0 + 0 = R_softplus (w1 * x + b1)). ring.
    + intros t x. apply logit_ex_derive.
    + intros t x Ht.
      replace (R_softplus (w1 * x + b1)) with (1 * R_softplus (w1 * x + b1) + 0) by ring.
      apply logit_bound; auto.
    + intros t x Ht. apply logit_bound; auto. apply ex2_t, Ht.
    + split; [split; [exact HI|intros; exact I]|].
      split; [exact HD|intros; exact I].
  - (* b2 *)
    destruct (bern_family y a b (fun s x => w2 * R_softplus (w1 * x + b1) + s)
                (fun t x => 1) C0 HC0) as [HI HD].
    + intros t x. eapply is_derive_eq.
      * apply D_plus; [apply D_const|apply (is_derive_id (K := R_AbsRing))].
      * change (0 + 1 = 1). ring.
    + intros t x. apply logit_ex_derive.
    + intros t x Ht. rewrite Rabs_R1. pose proof (Hsq x). nra.
    + intros t x Ht. apply logit_bound; auto. apply ex2_t, Ht.
    + split; [split; [exact HI|intros; exact I]|].
      split; [exact HD|intros; exact I].
Qed.

End Ex2.

Theorem ex2_unbiased (w1 b1 w2 b2 y a b : R) (p : string) :
  In p (g_params ex2) ->
  a < nth 0 (find_val (ex2_inputs w1 b1 w2 b2 y) p) 0 < b ->
  is_derive (fun t => expected_cost ex2 (set_input_entry (ex2_inputs w1 b1 w2 b2 y) p 0 t))
    (nth 0 (find_val (ex2_inputs w1 b1 w2 b2 y) p) 0)
    (expected_grad ex2 (ex2_inputs w1 b1 w2 b2 y) p 0).
Proof.
  intros Hp Hab.
  destruct (ex2_pre w1 b1 w2 b2 y a b p Hp) as [HI HD].
  apply (backprop_unbiased ex2 (ex2_inputs w1 b1 w2 b2 y) p 0%nat a b).
  - reflexivity.
  - unfold inputs_fit. simpl.
    repeat constructor; eexists; split; reflexivity.
  - exact Hp.
  - simpl in Hp. destruct Hp as [<-|[<-|[<-|[<-|[]]]]]; simpl; lia.
  - exact Hab.
  - apply ex2_domains.
  - exact HI.
  - exact HD.
Qed.

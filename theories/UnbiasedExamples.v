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
      proved. *)

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

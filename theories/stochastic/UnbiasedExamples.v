(** * The preconditions of the unbiasedness theorem hold: examples

    This file shows that the named preconditions of [backprop_unbiased]
    (Unbiased.v) are satisfiable, on concrete graphs, and proves the
    analytic lemmas that make them checkable:

    - [gauss_poly_dom]: one integrable function dominates a Gaussian
      density times [C (1+x^2)^2], uniformly for a mean in [[-M, M]] and a
      standard deviation in [[s0, s1]]; with
      [stochastic_gauss_poly_integrable] (integrability of a density times
      a continuous function of at most [(1+x^2)^2] growth), both from
      GaussianBridge.v, this gives the integrability and the integrable
      dominating functions.
    - [ex1]: the score-function case, [x ~ N(theta, (e^theta)^2)] with cost
      [x * x]; [ex1_unbiased]: for every [theta] and every interval around
      it, the derivative of E[x^2] is E[backprop], all preconditions
      proved.
    - [ex2]: pure reparameterization, two layers: [z ~ N(0, 1)],
      [p = sigmoid (w2 * softplus (w1 * z + b1) + b2)], cost the Bernoulli
      negative log-likelihood of an observation [y]; [ex2_unbiased]: for
      every value of the inputs and each of the four parameters, all
      preconditions proved.
    - [sign_check] (a decision procedure for [reachable_domains], with its
      soundness proof [sign_check_sound]) and [no_rand_integrable]; with
      them [backprop_unbiased_checked] decides every precondition for
      graphs without random nodes. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Lia Lra Bool.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed Backprop.
From Certigrad Require Import Stochastic StochasticPre OpsJvp Unbiased GaussianBridge.
Import ListNotations.
Local Open Scope string_scope.
Local Open Scope R_scope.

(** * Analytic lemmas *)

Lemma exp_le_mono (x y : R) : x <= y -> exp x <= exp y.
Proof.
  intros H. destruct (Rle_lt_or_eq_dec _ _ H) as [Hlt| ->]; [|lra].
  left. apply exp_increasing, Hlt.
Qed.

Lemma poly4_le_exp (x : R) : (1 + x * x) * (1 + x * x) <= exp (4 * Rabs x).
Proof.
  replace (4 * Rabs x) with (2 * Rabs x + 2 * Rabs x) by ring. rewrite exp_plus.
  pose proof (one_sq_le_exp x). apply Rmult_le_compat; nra.
Qed.

(** One integrable function dominates a Gaussian density times
    [C (1+x^2)^2], uniformly for a mean in [[-M, M]] and a standard
    deviation in [[s0, s1]] ([stochastic_gauss_uniform_dom]). *)
Lemma gauss_poly_dom (M s0 s1 C : R) : 0 < s0 -> s0 <= s1 -> 0 <= C ->
  exists G, Lintegrable G /\ forall m s x, Rabs m <= M -> s0 <= s <= s1 ->
    gauss_pdf m s x * (C * ((1 + x * x) * (1 + x * x))) <= G x.
Proof.
  intros Hs0 Hs01 HC.
  destruct (stochastic_gauss_uniform_dom M s0 s1 C 4
              (fun x => C * ((1 + x * x) * (1 + x * x))) Hs0 Hs01) as [G [HG HGb]].
  - intros x. rewrite Rabs_mult, Rabs_pos_eq, (Rabs_pos_eq (_ * _)) by nra.
    apply Rmult_le_compat_l; [exact HC|apply poly4_le_exp].
  - exists G. split; [exact HG|]. intros m s x Hm Hs.
    eapply Rle_trans; [apply Rle_abs|apply HGb; assumption].
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
  intros t Ht. apply (stochastic_gauss_poly_integrable _ _ _ 1); [apply exp_pos| |].
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
  set (C := (5 + 4 * (M * M) + s1 * s1) / (s0 * s0)).
  assert (HC : 0 <= C).
  { unfold C. apply Rmult_le_pos; [|left; apply Rinv_0_lt_compat; nra].
    assert (0 <= M * M) by nra. assert (0 <= s1 * s1) by nra. lra. }
  destruct (gauss_poly_dom M s0 s1 C Hs0 Hs01 HC) as [G [HG HGb]].
  exists G. split; [exact HG|].
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
  eapply Rle_trans; [|apply (HGb t (exp t) x HtM Hst)].
  assert (0 <= x * x) by nra.
  assert (H0 := Rabs_pos (gauss_score t (exp t) x 1 (exp t))).
  rewrite Rmult_assoc. apply Rmult_le_compat_l; [lra|].
  replace (C * ((1 + x * x) * (1 + x * x))) with ((C * (1 + x * x)) * (1 + x * x)) by ring.
  apply Rmult_le_compat; [exact H0|lra|exact Hsc|lra].
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
  - intros t Ht. apply (stochastic_gauss_poly_integrable 0 1 _ (Y * (C0 + 1))); [lra| |].
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
  - assert (HyC : 0 <= (1 + Rabs y) * C0) by (pose proof (Rabs_pos y); nra).
    destruct (gauss_poly_dom 0 1 1 _ Rlt_0_1 (Rle_refl 1) HyC) as [G [HG HGb]].
    exists G. split; [exact HG|].
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
    eapply Rle_trans; [|apply (HGb 0 1 x); [rewrite Rabs_R0; lra|lra]].
    apply Rmult_le_compat_l; [lra|].
    replace ((1 + Rabs y) * C0 * ((1 + x * x) * (1 + x * x)))
      with ((1 + Rabs y) * (C0 * (1 + x * x)) * (1 + x * x)) by ring.
    apply Rle_trans with ((1 + Rabs y) * (C0 * (1 + x * x))).
    + apply Rmult_le_compat; [lra|lra|exact Hsig|exact HdUb].
    + assert (0 <= (1 + Rabs y) * (C0 * (1 + x * x))) by nra. nra.
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

(** * A decision procedure for [reachable_domains]: sign analysis

    [sign_check g] runs through the nodes with an abstract sign for every
    reference (unknown for inputs and draws; positive after [exp],
    [softplus], [sqrt] of a positive value, sums, products, quotients and
    [mul_add] of positive values; in (0, 1) after [sigmoid] and products of
    such), and checks that every restricted operand is guaranteed in its
    domain ([log], [sqrt], the divisor of [div], sigma of [mvn_kl] and
    [mvn]: positive; the probability of [bernoulli_neglogpdf]: in (0, 1)).
    [sign_check_sound]: it implies [reachable_domains] for all input
    values, parameters, entries and intervals.  [no_rand_integrable]: for
    graphs without random nodes, the integral preconditions are vacuous;
    [backprop_unbiased_checked]: for such graphs passing [sign_check], the
    theorem holds with every precondition decided. *)

Inductive sign : Type := SAny | SPos | SUnit.

Definition sign_holds (s : sign) (v : list R) : Prop :=
  match s with
  | SAny => True
  | SPos => Forall (fun x => 0 < x) v
  | SUnit => Forall (fun x => 0 < x < 1) v
  end.

Definition is_pos (s : sign) : bool := match s with SAny => false | _ => true end.
Definition is_unit (s : sign) : bool := match s with SUnit => true | _ => false end.

Definition find_sign (ae : list (string * sign)) (k : string) : sign :=
  match lookup ae k with Some s => s | None => SAny end.

(** The sign of a deterministic node's value from its parents' signs. *)
Definition dop_sign {T : Type} (o : @dop T) (ss : list sign) : sign :=
  let s0 := nth 0 ss SAny in
  let s1 := nth 1 ss SAny in
  let s2 := nth 2 ss SAny in
  match o with
  | Exp | Softplus => SPos
  | Sigmoid => SUnit
  | Sqrt => if is_pos s0 then SPos else SAny
  | Add => if is_pos s0 && is_pos s1 then SPos else SAny
  | Mul => if is_unit s0 && is_unit s1 then SUnit
           else if is_pos s0 && is_pos s1 then SPos else SAny
  | Div => if is_pos s0 && is_pos s1 then SPos else SAny
  | MulAdd => if is_pos s0 && is_pos s1 && is_pos s2 then SPos else SAny
  | _ => SAny
  end.

(** The domain of an operator is guaranteed by its parents' signs. *)
Definition dom_by_sign (d : dom_rule) (s : sign) : bool :=
  match d with
  | DPos | DNonzero => is_pos s
  | DUnit => is_unit s
  end.

Definition op_ok_by_sign {T : Type} (o : @op T) (ss : list sign) : bool :=
  match op_domain o with
  | None => true
  | Some (p, d) => dom_by_sign d (nth p ss SAny)
  end.

Fixpoint sign_check_nodes (ae : list (string * sign)) (ns : list (node R)) : bool :=
  match ns with
  | [] => true
  | n :: ns' =>
      let ss := map (find_sign ae) (node_parents n) in
      op_ok_by_sign (node_op n) ss &&
      sign_check_nodes
        ((node_name n, match n with NDet _ o _ => dop_sign o ss | NRand _ _ _ => SAny end) :: ae) ns'
  end.

(** Every input is of unknown sign. *)
Definition sign_check (g : graph R) : bool := sign_check_nodes [] (g_nodes g).

Lemma Forall_map_all {X : Type} (f : X -> R) (Q : R -> Prop) (l : list X) :
  (forall x, Q (f x)) -> Forall Q (map f l).
Proof. intros H. induction l; simpl; constructor; auto. Qed.

Lemma Forall_map2_R (f : R -> R -> R) (P Q S : R -> Prop) (xs ys : list R) :
  Forall P xs -> Forall Q ys -> (forall x y, P x -> Q y -> S (f x y)) ->
  Forall S (map2 f xs ys).
Proof.
  intros HP. revert ys. induction HP as [|x xs Hx HP IH]; intros [|y ys] HQ H; simpl;
    constructor; inversion HQ; subst; auto.
Qed.

Lemma Forall_map3_R (f : R -> R -> R -> R) (P Q S U : R -> Prop) (xs ys zs : list R) :
  Forall P xs -> Forall Q ys -> Forall S zs -> (forall x y z, P x -> Q y -> S z -> U (f x y z)) ->
  Forall U (map3 f xs ys zs).
Proof.
  intros HP. revert ys zs. induction HP as [|x xs Hx HP IH]; intros [|y ys] [|z zs] HQ HS H;
    simpl; constructor; inversion HQ; inversion HS; subst; auto.
Qed.

Lemma pos_of_sign (s : sign) (v : list R) :
  is_pos s = true -> sign_holds s v -> Forall (fun x => 0 < x) v.
Proof.
  destruct s; simpl; intros H Hv; try discriminate; [exact Hv|].
  eapply Forall_impl; [|exact Hv]. intros x [Hx _]. exact Hx.
Qed.

Lemma unit_of_sign (s : sign) (v : list R) :
  is_unit s = true -> sign_holds s v -> Forall (fun x => 0 < x < 1) v.
Proof. destruct s; simpl; intros H Hv; try discriminate. exact Hv. Qed.

Lemma softplus_pos (v : R) : 0 < R_softplus v.
Proof.
  unfold R_softplus. rewrite <- ln_1. apply ln_increasing; [lra|].
  generalize (exp_pos v). lra.
Qed.

Lemma dop_sign_sound (o : dop R) (shs : list shape) (xs : list (list R)) (ss : list sign) :
  (forall i, sign_holds (nth i ss SAny) (nth i xs [])) ->
  sign_holds (dop_sign o ss) (dop_forward R_ops o shs xs).
Proof.
  intros H.
  assert (P : forall i, is_pos (nth i ss SAny) = true -> Forall (fun x => 0 < x) (nth i xs []))
    by (intros i Hi; exact (pos_of_sign _ _ Hi (H i))).
  assert (U : forall i, is_unit (nth i ss SAny) = true -> Forall (fun x => 0 < x < 1) (nth i xs []))
    by (intros i Hi; exact (unit_of_sign _ _ Hi (H i))).
  destruct o; simpl; try exact I.
  - apply Forall_map_all. apply exp_pos.
  - destruct (is_pos (nth 0 ss SAny)) eqn:E0; simpl; [|exact I].
    eapply Forall_map. eapply Forall_impl; [|exact (P 0%nat E0)].
    intros x Hx. apply sqrt_lt_R0, Hx.
  - apply Forall_map_all. intros x. split; [apply sigmoid_pos|apply sigmoid_lt1].
  - apply Forall_map_all. apply softplus_pos.
  - destruct (is_pos (nth 0 ss SAny)) eqn:E0, (is_pos (nth 1 ss SAny)) eqn:E1; simpl; try exact I.
    apply (Forall_map2_R _ _ _ _ _ _ (P 0%nat E0) (P 1%nat E1)). simpl. intros; lra.
  - destruct (is_unit (nth 0 ss SAny)) eqn:U0, (is_unit (nth 1 ss SAny)) eqn:U1; simpl.
    + apply (Forall_map2_R _ _ _ _ _ _ (U 0%nat U0) (U 1%nat U1)). simpl. intros; nra.
    + destruct (is_pos (nth 0 ss SAny)) eqn:E0, (is_pos (nth 1 ss SAny)) eqn:E1; simpl; try exact I.
      apply (Forall_map2_R _ _ _ _ _ _ (P 0%nat E0) (P 1%nat E1)). simpl. intros; nra.
    + destruct (is_pos (nth 0 ss SAny)) eqn:E0, (is_pos (nth 1 ss SAny)) eqn:E1; simpl; try exact I.
      apply (Forall_map2_R _ _ _ _ _ _ (P 0%nat E0) (P 1%nat E1)). simpl. intros; nra.
    + destruct (is_pos (nth 0 ss SAny)) eqn:E0, (is_pos (nth 1 ss SAny)) eqn:E1; simpl; try exact I.
      apply (Forall_map2_R _ _ _ _ _ _ (P 0%nat E0) (P 1%nat E1)). simpl. intros; nra.
  - destruct (is_pos (nth 0 ss SAny)) eqn:E0, (is_pos (nth 1 ss SAny)) eqn:E1; simpl; try exact I.
    apply (Forall_map2_R _ _ _ _ _ _ (P 0%nat E0) (P 1%nat E1)). simpl.
    intros x y Hx Hy. unfold Rdiv. apply Rmult_lt_0_compat; [lra|apply Rinv_0_lt_compat; lra].
  - destruct (is_pos (nth 0 ss SAny)) eqn:E0, (is_pos (nth 1 ss SAny)) eqn:E1,
      (is_pos (nth 2 ss SAny)) eqn:E2; simpl; try exact I.
    apply (Forall_map3_R _ _ _ _ _ _ _ _ (P 0%nat E0) (P 1%nat E1) (P 2%nat E2)).
    intros; nra.
Qed.

Lemma op_ok_sound (o : op R) (ss : list sign) (xs : list (list R)) :
  (forall i, sign_holds (nth i ss SAny) (nth i xs [])) ->
  op_ok_by_sign o ss = true -> op_domain_holds R_ops o xs.
Proof.
  intros H. unfold op_ok_by_sign, op_domain_holds.
  destruct (op_domain o) as [[p d]|]; [|intros; exact I].
  intros Hd. destruct d; simpl in Hd.
  - eapply Forall_impl; [|exact (pos_of_sign _ _ Hd (H p))]. intros x Hx. exact Hx.
  - eapply Forall_impl; [|exact (pos_of_sign _ _ Hd (H p))]. intros x Hx. simpl. lra.
  - eapply Forall_impl; [|exact (unit_of_sign _ _ Hd (H p))]. intros x Hx. exact Hx.
Qed.

Lemma find_sign_cons (ae : list (string * sign)) (k r : string) (s : sign) :
  find_sign ((k, s) :: ae) r = if String.eqb r k then s else find_sign ae r.
Proof. unfold find_sign. simpl. destruct (String.eqb r k); reflexivity. Qed.

Lemma find_val_cons (E : env R) (k r : string) (v : list R) :
  find_val ((k, v) :: E) r = if String.eqb r k then v else find_val E r.
Proof. unfold find_val. simpl. destruct (String.eqb r k); reflexivity. Qed.

Lemma signs_of_parents (ae : list (string * sign)) (V : env R) (ps : list string) :
  (forall r, sign_holds (find_sign ae r) (find_val V r)) ->
  forall i, sign_holds (nth i (map (find_sign ae) ps) SAny) (nth i (map (find_val V) ps) []).
Proof.
  intros H i. destruct (lt_dec i (length ps)) as [Hi|Hi].
  - rewrite (nth_map_in _ _ ps i SAny ""%string) by exact Hi.
    rewrite (nth_map_in _ _ ps i [] ""%string) by exact Hi. apply H.
  - rewrite nth_overflow by (rewrite map_length; lia). exact I.
Qed.

Lemma sign_check_nodes_sound (se : senv) (a b : R) (ns : list (node R)) :
  forall (ae : list (string * sign)) (valsC : R -> env R),
  (forall r t, sign_holds (find_sign ae r) (find_val (valsC t) r)) ->
  sign_check_nodes ae ns = true -> domains_on se a b ns valsC.
Proof.
  induction ns as [|n ns IH]; intros ae valsC Hag Hchk; simpl; [exact I|].
  simpl in Hchk. apply andb_true_iff in Hchk as [Hok Hrest].
  split.
  - intros t _. apply (op_ok_sound _ (map (find_sign ae) (node_parents n))); [|exact Hok].
    apply signs_of_parents; intros k'; apply Hag.
  - destruct n as [r o ps|r o ps]; simpl in *.
      apply (IH ((ref_name r, dop_sign o (map (find_sign ae) ps)) :: ae)); [|exact Hrest].
      intros k t. rewrite find_sign_cons, find_val_cons.
      destruct (String.eqb k (ref_name r)); [|apply Hag].
      apply dop_sign_sound. apply signs_of_parents; intros k'; apply Hag.
    + intros x _. apply (IH ((ref_name r, SAny) :: ae)); [|exact Hrest].
      intros k t. rewrite find_sign_cons, find_val_cons.
      destruct (String.eqb k (ref_name r)); [exact I|apply Hag].
Qed.

(** Soundness: a graph that passes [sign_check] satisfies
    [reachable_domains] for every input values, parameter, entry and
    interval. *)
Theorem sign_check_sound (g : graph R) (inputs : env R) (p : string) (j : nat) (a b : R) :
  sign_check g = true -> reachable_domains g inputs p j a b.
Proof.
  intros H. apply (sign_check_nodes_sound _ a b _ []); [|exact H].
  intros; exact I.
Qed.

(** * Graphs without random nodes: the integral preconditions are vacuous *)

Definition no_rand (g : graph R) : bool := forallb (fun n => negb (is_rand_node n)) (g_nodes g).

Lemma pnodes_no_rand (se : senv) (ns : list (node R)) :
  forallb (fun n => negb (is_rand_node n)) ns = true ->
  forall valsC draws, exists h, pnodes se ns valsC draws = PRet h.
Proof.
  induction ns as [|n ns IH]; simpl; intros H valsC draws; [eauto|].
  apply andb_true_iff in H as [Hn H]. destruct n; simpl in *; [apply IH, H|discriminate].
Qed.

Theorem no_rand_integrable (g : graph R) (inputs : env R) (p : string) (j : nat) (a b : R) :
  no_rand g = true ->
  is_gintegrable g inputs p j a b /\ can_differentiate_under_integrals g inputs p j a b.
Proof.
  intros H. unfold is_gintegrable, can_differentiate_under_integrals, pgraph.
  destruct (pnodes_no_rand (shape_env g) (g_nodes g) H (input_curve inputs p j) []) as [h ->].
  simpl. tauto.
Qed.

(** For the class of graphs without random nodes that pass the sign
    check, every precondition is decided: the theorem holds with no
    hypothesis beyond the checker, the input sizes and the choice of the
    parameter entry. *)
Theorem backprop_unbiased_checked (g : graph R) (inputs : env R) (p : string) (j : nat) :
  check_graph g = CheckOk -> no_rand g = true -> sign_check g = true ->
  inputs_fit g inputs -> In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  is_derive (fun t => expected_cost g (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0) (expected_grad g inputs p j).
Proof.
  intros Hchk Hnr Hsg Hfit Hp Hj.
  set (t0 := nth j (find_val inputs p) 0).
  destruct (no_rand_integrable g inputs p j (t0 - 1) (t0 + 1) Hnr) as [HI HD].
  apply (backprop_unbiased g inputs p j (t0 - 1) (t0 + 1)); auto.
  - unfold t0. lra.
  - apply sign_check_sound, Hsg.
Qed.

Lemma ex1_sign_check : sign_check ex1 = true.
Proof. reflexivity. Qed.

Lemma ex2_sign_check : sign_check ex2 = true.
Proof. reflexivity. Qed.

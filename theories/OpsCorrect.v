(** This file proves that every deterministic operator's pullback is correct
    at the real numbers: [all_dops_correct : forall o, dop_correct o]
    (the statement is in OpsSpec.v).  The tangent [dv] is always
    [dop_jvp o ss (xs t0) dxs] (OpsJvp.v).

    Structure: shape and size facts; then one generic lemma per kind of
    operator ([unary_correct] for the elementwise maps of one parent,
    [binary_correct] for those of two, [binsum_correct] for the sums of an
    elementwise map of two parents), each reducing [dop_correct] to the
    entry characterizations of the forward function, the tangent and the
    pullbacks and to the scalar derivative; then the sixteen operators,
    [sum], [mul_add] and [gemm] proved directly. *)

From Coq Require Import Reals Lia Lra.
From Coquelicot Require Import Coquelicot.
From Coq Require Import List.
From Certigrad Require Import Scalar Tensor Ops OpsSpec TensorFacts OpsJvp.
Import ListNotations.

Local Open Scope R_scope.

(** * Shapes *)

Section Shapes.
Variables (decl sout : shape) (ss : list shape).

Lemma out_shape_same1 (o : dop R) :
  dop_arity o = 1%nat -> dop_shape_rule o = RSame ->
  op_out_shape (ODet o) decl ss = Some sout -> ss = [sout].
Proof.
  intros Ha Hr. unfold op_out_shape, op_out_shape_res.
  cbn [op_arity op_shape_rule]. rewrite Ha, Hr.
  destruct ss as [|s [|s2 ss']]; cbn; try discriminate.
  intros H; inversion H; reflexivity.
Qed.

Lemma shape_eqb_eq s t : shape_eqb s t = true -> s = t.
Proof. unfold shape_eqb. destruct (list_eq_dec Nat.eq_dec s t); congruence. Qed.

Lemma out_shape_same2 (o : dop R) :
  dop_arity o = 2%nat -> dop_shape_rule o = RSame ->
  op_out_shape (ODet o) decl ss = Some sout -> ss = [sout; sout].
Proof.
  intros Ha Hr. unfold op_out_shape, op_out_shape_res.
  cbn [op_arity op_shape_rule]. rewrite Ha, Hr.
  destruct ss as [|s1 [|s2 [|s3 ss']]]; cbn; try discriminate.
  destruct (shape_eqb s1 s2) eqn:E; cbn; try discriminate.
  apply shape_eqb_eq in E. subst. intros H; inversion H; reflexivity.
Qed.

Lemma out_shape_same3 (o : dop R) :
  dop_arity o = 3%nat -> dop_shape_rule o = RSame ->
  op_out_shape (ODet o) decl ss = Some sout -> ss = [sout; sout; sout].
Proof.
  intros Ha Hr. unfold op_out_shape, op_out_shape_res.
  cbn [op_arity op_shape_rule]. rewrite Ha, Hr.
  destruct ss as [|s1 [|s2 [|s3 [|s4 ss']]]]; cbn; try discriminate.
  destruct (shape_eqb s1 s2) eqn:E; cbn; try discriminate.
  destruct (shape_eqb s1 s3) eqn:E'; cbn; try discriminate.
  apply shape_eqb_eq in E. apply shape_eqb_eq in E'. subst.
  intros H; inversion H; reflexivity.
Qed.

Lemma out_shape_scalar1 (o : dop R) :
  dop_arity o = 1%nat -> dop_shape_rule o = RScalar ->
  op_out_shape (ODet o) decl ss = Some sout -> (exists s, ss = [s]) /\ sout = [].
Proof.
  intros Ha Hr. unfold op_out_shape, op_out_shape_res.
  cbn [op_arity op_shape_rule]. rewrite Ha, Hr.
  destruct ss as [|s [|s2 ss']]; cbn; try discriminate.
  intros H; inversion H. eauto.
Qed.

Lemma out_shape_samescalar2 (o : dop R) :
  dop_arity o = 2%nat -> dop_shape_rule o = RSameScalar ->
  op_out_shape (ODet o) decl ss = Some sout -> (exists s, ss = [s; s]) /\ sout = [].
Proof.
  intros Ha Hr. unfold op_out_shape, op_out_shape_res.
  cbn [op_arity op_shape_rule]. rewrite Ha, Hr.
  destruct ss as [|s1 [|s2 [|s3 ss']]]; cbn; try discriminate.
  destruct (shape_eqb s1 s2) eqn:E; cbn; try discriminate.
  apply shape_eqb_eq in E. subst. intros H; inversion H. eauto.
Qed.

Lemma out_shape_gemm :
  op_out_shape (ODet (Gemm (T := R))) decl ss = Some sout ->
  exists m k n, ss = [[m; k]; [k; n]] /\ sout = [m; n].
Proof.
  unfold op_out_shape, op_out_shape_res.
  destruct ss as [|s1 [|s2 [|s3 ss']]]; cbn; try discriminate.
  destruct s1 as [|m [|k [|? ?]]]; cbn; try discriminate.
  destruct s2 as [|k' [|n [|? ?]]]; cbn; try discriminate.
  destruct (Nat.eqb k k') eqn:E; cbn; try discriminate.
  apply Nat.eqb_eq in E. subst. intros H; inversion H. eauto.
Qed.

End Shapes.

(** * Sizes *)

Lemma sized1 (l : list (list R)) s :
  sized l [s] -> l = [nth 0 l []] /\ length (nth 0 l []) = shape_size s.
Proof.
  intros H. inversion H as [|x s' l' ? Hx H0]; subst. inversion H0; subst. auto.
Qed.

Lemma sized2 (l : list (list R)) s1 s2 :
  sized l [s1; s2] ->
  l = [nth 0 l []; nth 1 l []] /\
  length (nth 0 l []) = shape_size s1 /\ length (nth 1 l []) = shape_size s2.
Proof.
  intros H. inversion H as [|x s' l' ? Hx H0]; subst.
  inversion H0 as [|y s'' l'' ? Hy H1]; subst. inversion H1; subst. auto.
Qed.

Lemma sized3 (l : list (list R)) s1 s2 s3 :
  sized l [s1; s2; s3] ->
  l = [nth 0 l []; nth 1 l []; nth 2 l []] /\
  length (nth 0 l []) = shape_size s1 /\ length (nth 1 l []) = shape_size s2 /\
  length (nth 2 l []) = shape_size s3.
Proof.
  intros H. inversion H as [|x s' l' ? Hx H0]; subst.
  inversion H0 as [|y s'' l'' ? Hy H1]; subst.
  inversion H1 as [|z s''' l''' ? Hz H2]; subst. inversion H2; subst. auto.
Qed.

(** * Dot products of a few tensors *)

Lemma pair_dots1 a b : pair_dots [a] [b] = dot R_ops a b.
Proof. unfold pair_dots. cbn [combine map fold_right fst snd]. ring. Qed.

Lemma pair_dots2 a1 a2 b1 b2 :
  pair_dots [a1; a2] [b1; b2] = dot R_ops a1 b1 + dot R_ops a2 b2.
Proof. unfold pair_dots. cbn [combine map fold_right fst snd]. ring. Qed.

Lemma pair_dots3 a1 a2 a3 b1 b2 b3 :
  pair_dots [a1; a2; a3] [b1; b2; b3] =
  dot R_ops a1 b1 + dot R_ops a2 b2 + dot R_ops a3 b3.
Proof. unfold pair_dots. cbn [combine map fold_right fst snd]. ring. Qed.

Lemma dot_single a b : dot R_ops [a] [b] = a * b.
Proof. rewrite (dot_isum _ _ 1) by reflexivity. simpl. ring. Qed.

Lemma length1 (g : list R) : length g = 1%nat -> g = [hd 0 g].
Proof. destruct g as [|a [|b g]]; simpl; intros H; try lia. reflexivity. Qed.

(** * Entries of a tensor-valued curve *)

(** Entries past a fixed length are constantly [0]: only the entries
    below it need a proof. *)
Lemma entries_derive (L : R -> list R) (dv : list R) (N : nat) (t0 : R) :
  (forall t, length (L t) = N) -> length dv = N ->
  (forall k, (k < N)%nat -> is_derive (fun t => nth k (L t) 0) t0 (nth k dv 0)) ->
  forall k, is_derive (fun t => nth k (L t) 0) t0 (nth k dv 0).
Proof.
  intros HL Hdv H k. destruct (Nat.lt_ge_cases k N) as [Hk|Hk]; [auto|].
  rewrite (nth_overflow dv) by lia.
  apply is_derive_ext with (fun _ => 0); [|apply D_const].
  intros t. rewrite nth_overflow; [reflexivity|]. rewrite HL. exact Hk.
Qed.

(** * Generic operators *)

(** An elementwise map [F] of one parent, with derivative [F'] at the
    points of the domain. *)
Lemma unary_correct (o : dop R) (F F' : R -> R) :
  dop_arity o = 1%nat -> dop_shape_rule o = RSame ->
  (forall ss xs, dop_forward R_ops o ss xs = map F (nth 0 xs [])) ->
  (forall x, op_domain_holds R_ops (ODet o) [x] ->
     forall k, (k < length x)%nat -> is_derive F (nth k x 0) (F' (nth k x 0))) ->
  (forall ss x dx, length dx = length x ->
     length (dop_jvp o ss [x] [dx]) = length x /\
     forall k, (k < length x)%nat ->
       nth k (dop_jvp o ss [x] [dx]) 0 = F' (nth k x 0) * nth k dx 0) ->
  (forall ss x g, length g = length x ->
     exists pb, dop_pullbacks R_ops o ss [x] (map F x) g = [pb] /\
       length pb = length x /\
       forall k, (k < length x)%nat -> nth k pb 0 = nth k g 0 * F' (nth k x 0)) ->
  dop_correct o.
Proof.
  intros Har Hsr Hfw Hder Hjvp Hpb ss decl sout Hout xs dxs t0 Hxs Hdxs Hd Hdom.
  rewrite (out_shape_same1 decl sout ss o Har Hsr Hout) in *.
  destruct (sized1 _ _ Hdxs) as [Edx Ldx].
  destruct (sized1 _ _ (Hxs t0)) as [E0 L0].
  set (x0 := nth 0 (xs t0) []) in *. set (dx := nth 0 dxs []) in *.
  rewrite E0 in Hdom.
  exists (dop_jvp o [sout] [x0] [dx]).
  destruct (Hjvp [sout] x0 dx) as [Lj Nj]; [lia|].
  split; [lia|]. split.
  - apply entries_derive with (shape_size sout).
    + intros t. rewrite Hfw, map_length. apply (sized1 _ _ (Hxs t)).
    + lia.
    + intros k Hk.
      apply is_derive_ext with (fun t => F (nth k (nth 0 (xs t) []) 0)).
      { intros t. rewrite Hfw. symmetry. apply nth_map_in.
        destruct (sized1 _ _ (Hxs t)) as [_ L]. lia. }
      rewrite Nj by lia.
      apply D_comp; [apply Hder; [exact Hdom|lia] | apply Hd].
  - intros g Hg. rewrite E0, Edx, Hfw. change (nth 0 [x0] []) with x0.
    destruct (Hpb [sout] x0 g) as [pb [Epb [Lpb Npb]]]; [lia|].
    rewrite Epb, pair_dots1.
    rewrite (dot_isum g _ (length x0)) by lia.
    rewrite (dot_isum pb dx (length x0)) by lia.
    apply isum_ext. intros k Hk. rewrite Nj, Npb by lia. ring.
Qed.

(** * Tactics for entry computations *)

Ltac lens :=
  repeat first [ rewrite map_length | rewrite map2_length | rewrite map3_length
               | rewrite tabulate_length | rewrite repeat_length ]; lia.

Ltac ents :=
  repeat first [ rewrite nth_map2 by lens | rewrite nth_map3 by lens
               | rewrite (nth_map_in _ _ _ _ _ 0) by lens
               | rewrite nth_tabulate by lens ].

(** [unary_correct]'s tangent hypothesis for a [tabulate]. *)
Ltac jvp1 := intros ss x dx Hl; unfold dop_jvp; cbn [nth];
  split; [apply tabulate_length | intros k Hk; rewrite nth_tabulate by exact Hk; ring].

Ltac pb1 := intros ss x g Hg; eexists; split; [reflexivity|];
  cbn [dop_pullbacks nth]; unfold vscale, vmul, vdiv, vadd, vsub;
  split; [lens| intros k Hk; ents; cbn].

(** * Elementwise operators of one parent *)

Lemma scale_correct a : dop_correct (Scale a).
Proof.
  apply (unary_correct _ (Rmult a) (fun _ => a)); try reflexivity.
  - intros x _ k _. apply is_derive_eq with (a * 1).
    + apply (is_derive_scal (fun t => t)). apply (is_derive_id (K := R_AbsRing)).
    + ring.
  - jvp1.
  - pb1. ring.
Qed.

Lemma neg_correct : dop_correct Neg.
Proof.
  apply (unary_correct _ Ropp (fun _ => -1)); try reflexivity.
  - intros x _ k _. apply is_derive_eq with (- 1).
    + apply D_opp. apply (is_derive_id (K := R_AbsRing)).
    + ring.
  - jvp1.
  - pb1. ring.
Qed.

Lemma exp_correct : dop_correct Exp.
Proof.
  apply (unary_correct _ exp exp); try reflexivity.
  - intros x _ k _. apply D_exp.
  - jvp1.
  - pb1. ring.
Qed.

Lemma log_correct : dop_correct Log.
Proof.
  apply (unary_correct _ ln Rinv); try reflexivity.
  - intros x Hx k Hk. apply D_ln. cbn in Hx.
    exact (proj1 (Forall_nth _ x) Hx k 0 Hk).
  - jvp1.
  - pb1. unfold Rdiv. ring.
Qed.

Lemma sqrt_correct : dop_correct Sqrt.
Proof.
  apply (unary_correct _ sqrt (fun t => / (2 * sqrt t))); try reflexivity.
  - intros x Hx k Hk. apply D_sqrt. cbn in Hx.
    exact (proj1 (Forall_nth _ x) Hx k 0 Hk).
  - jvp1.
  - pb1. unfold s_two; cbn. unfold Rdiv. replace (1 + 1) with 2 by ring. ring.
Qed.

Lemma sigmoid_correct : dop_correct Sigmoid.
Proof.
  apply (unary_correct _ R_sigmoid (fun t => R_sigmoid t * (1 - R_sigmoid t)));
    try reflexivity.
  - intros x _ k _. apply D_sigmoid.
  - jvp1.
  - pb1. ring.
Qed.

Lemma softplus_correct : dop_correct Softplus.
Proof.
  apply (unary_correct _ R_softplus R_sigmoid); try reflexivity.
  - intros x _ k _. apply D_softplus.
  - jvp1.
  - pb1. ring.
Qed.

(** This file proves that every deterministic operator's pullback is correct
    at the real numbers: [all_dops_correct : forall o, dop_correct o]
    (the statement is in OpsSpec.v).  The tangent [dv] is always
    [dop_jvp o ss (xs t0) dxs] (OpsJvp.v).

    Structure: shape and size facts; then one generic lemma per kind of
    operator ([unary_correct] for the elementwise maps of one parent,
    [binary_correct] for those of two, [binsum_correct] for the sums of an
    elementwise map of two parents), each reducing [dop_correct] to the
    entry characterizations of the forward function, the tangent and the
    pullbacks and to the scalar derivative; then the seventeen operators,
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

Lemma out_shape_samescalar3 (o : dop R) :
  dop_arity o = 3%nat -> dop_shape_rule o = RSameScalar ->
  op_out_shape (ODet o) decl ss = Some sout -> (exists s, ss = [s; s; s]) /\ sout = [].
Proof.
  intros Ha Hr. unfold op_out_shape, op_out_shape_res.
  cbn [op_arity op_shape_rule]. rewrite Ha, Hr.
  destruct ss as [|s1 [|s2 [|s3 [|s4 ss']]]]; cbn; try discriminate.
  destruct (shape_eqb s1 s2) eqn:E; cbn; try discriminate.
  destruct (shape_eqb s1 s3) eqn:E'; cbn; try discriminate.
  apply shape_eqb_eq in E. apply shape_eqb_eq in E'. subst. intros H; inversion H. eauto.
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

(** * Generic operators of two parents *)

(** An elementwise map [F] of two parents, with partial derivatives [Fx]
    and [Fy] at the points of the domain, described by [D]. *)
Lemma binary_correct (o : dop R) (F Fx Fy : R -> R -> R) (D : R -> R -> Prop) :
  dop_arity o = 2%nat -> dop_shape_rule o = RSame ->
  (forall ss xs, dop_forward R_ops o ss xs = map2 F (nth 0 xs []) (nth 1 xs [])) ->
  (forall x y, length y = length x -> op_domain_holds R_ops (ODet o) [x; y] ->
     forall k, (k < length x)%nat -> D (nth k x 0) (nth k y 0)) ->
  (forall (a b : R -> R) (da db t0 : R), D (a t0) (b t0) ->
     is_derive a t0 da -> is_derive b t0 db ->
     is_derive (fun t => F (a t) (b t)) t0 (Fx (a t0) (b t0) * da + Fy (a t0) (b t0) * db)) ->
  (forall ss x y dx dy,
     length y = length x -> length dx = length x -> length dy = length x ->
     length (dop_jvp o ss [x; y] [dx; dy]) = length x /\
     forall k, (k < length x)%nat ->
       nth k (dop_jvp o ss [x; y] [dx; dy]) 0 =
       Fx (nth k x 0) (nth k y 0) * nth k dx 0 + Fy (nth k x 0) (nth k y 0) * nth k dy 0) ->
  (forall ss x y g, length y = length x -> length g = length x ->
     exists pb1 pb2, dop_pullbacks R_ops o ss [x; y] (map2 F x y) g = [pb1; pb2] /\
       length pb1 = length x /\ length pb2 = length x /\
       forall k, (k < length x)%nat ->
         nth k pb1 0 = nth k g 0 * Fx (nth k x 0) (nth k y 0) /\
         nth k pb2 0 = nth k g 0 * Fy (nth k x 0) (nth k y 0)) ->
  dop_correct o.
Proof.
  intros Har Hsr Hfw HD Hder Hjvp Hpb ss decl sout Hout xs dxs t0 Hxs Hdxs Hd Hdom.
  rewrite (out_shape_same2 decl sout ss o Har Hsr Hout) in *.
  destruct (sized2 _ _ _ Hdxs) as [Edx [Ldx Ldy]].
  destruct (sized2 _ _ _ (Hxs t0)) as [E0 [Lx0 Ly0]].
  set (x0 := nth 0 (xs t0) []) in *. set (y0 := nth 1 (xs t0) []) in *.
  set (dx := nth 0 dxs []) in *. set (dy := nth 1 dxs []) in *.
  rewrite E0 in Hdom.
  exists (dop_jvp o [sout; sout] [x0; y0] [dx; dy]).
  destruct (Hjvp [sout; sout] x0 y0 dx dy) as [Lj Nj]; try lia.
  split; [lia|]. split.
  - apply entries_derive with (shape_size sout).
    + intros t. rewrite Hfw, map2_length.
      destruct (sized2 _ _ _ (Hxs t)) as [_ [L1 L2]]. lia.
    + lia.
    + intros k Hk.
      apply is_derive_ext
        with (fun t => F (nth k (nth 0 (xs t) []) 0) (nth k (nth 1 (xs t) []) 0)).
      { intros t. rewrite Hfw. destruct (sized2 _ _ _ (Hxs t)) as [_ [L1 L2]].
        symmetry. apply (nth_map2 (A := R)); lia. }
      rewrite Nj by lia.
      apply (Hder (fun t => nth k (nth 0 (xs t) []) 0) (fun t => nth k (nth 1 (xs t) []) 0)).
      * apply (HD x0 y0); [lia|exact Hdom|lia].
      * apply Hd.
      * apply Hd.
  - intros g Hg. rewrite E0, Edx, Hfw.
    change (nth 0 [x0; y0] []) with x0. change (nth 1 [x0; y0] []) with y0.
    destruct (Hpb [sout; sout] x0 y0 g) as [pb1 [pb2 [Epb [L1 [L2 Npb]]]]]; try lia.
    rewrite Epb, pair_dots2.
    rewrite (dot_isum g _ (length x0)) by lia.
    rewrite (dot_isum pb1 dx (length x0)) by lia.
    rewrite (dot_isum pb2 dy (length x0)) by lia.
    rewrite <- isum_plus. apply isum_ext. intros k Hk.
    rewrite Nj by lia. destruct (Npb k Hk) as [N1 N2]. rewrite N1, N2. ring.
Qed.

(** The sum of an elementwise map [F] of two parents of one shape. *)
Lemma binsum_correct (o : dop R) (F Fx Fy : R -> R -> R) (D : R -> R -> Prop) :
  dop_arity o = 2%nat -> dop_shape_rule o = RSameScalar ->
  (forall ss x y, length y = length x ->
     dop_forward R_ops o ss [x; y] = [isum (length x) (fun k => F (nth k x 0) (nth k y 0))]) ->
  (forall x y, length y = length x -> op_domain_holds R_ops (ODet o) [x; y] ->
     forall k, (k < length x)%nat -> D (nth k x 0) (nth k y 0)) ->
  (forall (a b : R -> R) (da db t0 : R), D (a t0) (b t0) ->
     is_derive a t0 da -> is_derive b t0 db ->
     is_derive (fun t => F (a t) (b t)) t0 (Fx (a t0) (b t0) * da + Fy (a t0) (b t0) * db)) ->
  (forall ss x y dx dy,
     dop_jvp o ss [x; y] [dx; dy] =
     [isum (length x) (fun k => Fx (nth k x 0) (nth k y 0) * nth k dx 0
                                + Fy (nth k x 0) (nth k y 0) * nth k dy 0)]) ->
  (forall ss x y v g, length y = length x ->
     exists pb1 pb2, dop_pullbacks R_ops o ss [x; y] v g = [pb1; pb2] /\
       length pb1 = length x /\ length pb2 = length x /\
       forall k, (k < length x)%nat ->
         nth k pb1 0 = hd 0 g * Fx (nth k x 0) (nth k y 0) /\
         nth k pb2 0 = hd 0 g * Fy (nth k x 0) (nth k y 0)) ->
  dop_correct o.
Proof.
  intros Har Hsr Hfw HD Hder Hjvp Hpb ss decl sout Hout xs dxs t0 Hxs Hdxs Hd Hdom.
  destruct (out_shape_samescalar2 decl sout ss o Har Hsr Hout) as [[s ->] ->].
  destruct (sized2 _ _ _ Hdxs) as [Edx [Ldx Ldy]].
  destruct (sized2 _ _ _ (Hxs t0)) as [E0 [Lx0 Ly0]].
  set (x0 := nth 0 (xs t0) []) in *. set (y0 := nth 1 (xs t0) []) in *.
  set (dx := nth 0 dxs []) in *. set (dy := nth 1 dxs []) in *.
  rewrite E0 in Hdom.
  assert (Hf : forall t, dop_forward R_ops o [s; s] (xs t) =
            [isum (shape_size s) (fun k => F (nth k (nth 0 (xs t) []) 0)
                                              (nth k (nth 1 (xs t) []) 0))]).
  { intros t. destruct (sized2 _ _ _ (Hxs t)) as [Et [L1 L2]].
    rewrite <- L1, <- (Hfw [s; s] (nth 0 (xs t) []) (nth 1 (xs t) [])) by lia.
    rewrite <- Et. reflexivity. }
  exists (dop_jvp o [s; s] [x0; y0] [dx; dy]).
  rewrite Hjvp. split; [reflexivity|]. split.
  - apply entries_derive with 1%nat.
    + intros t. rewrite Hf. reflexivity.
    + reflexivity.
    + intros k Hk. destruct k as [|k]; [|lia]. cbn [nth].
      apply is_derive_ext
        with (fun t => isum (length x0) (fun k => F (nth k (nth 0 (xs t) []) 0)
                                                     (nth k (nth 1 (xs t) []) 0))).
      { intros t. rewrite Hf, Lx0. reflexivity. }
      apply is_derive_isum. intros k Hk1.
      apply (Hder (fun t => nth k (nth 0 (xs t) []) 0) (fun t => nth k (nth 1 (xs t) []) 0)).
      * apply (HD x0 y0); [lia|exact Hdom|lia].
      * apply Hd.
      * apply Hd.
  - intros g Hg. rewrite (length1 g Hg), dot_single. rewrite E0, Edx.
    destruct (Hpb [s; s] x0 y0 (dop_forward R_ops o [s; s] [x0; y0]) [hd 0 g])
      as [pb1 [pb2 [Epb [L1 [L2 Npb]]]]]; [lia|].
    rewrite Epb, pair_dots2.
    rewrite (dot_isum pb1 dx (length x0)) by lia.
    rewrite (dot_isum pb2 dy (length x0)) by lia.
    rewrite <- isum_plus, <- isum_scal_l. apply isum_ext. intros k Hk.
    destruct (Npb k Hk) as [N1 N2]. rewrite N1, N2. cbn [hd]. ring.
Qed.

(** A sum of an elementwise map [F] of three parents of one shape, with
    partial derivatives [Fx], [Fy], [Fz] at the points of the domain [D]. *)
Lemma trisum_correct (o : dop R) (F Fx Fy Fz : R -> R -> R -> R) (D : R -> R -> R -> Prop) :
  dop_arity o = 3%nat -> dop_shape_rule o = RSameScalar ->
  (forall ss x y z, length y = length x -> length z = length x ->
     dop_forward R_ops o ss [x; y; z] =
       [isum (length x) (fun k => F (nth k x 0) (nth k y 0) (nth k z 0))]) ->
  (forall x y z, length y = length x -> length z = length x ->
     op_domain_holds R_ops (ODet o) [x; y; z] ->
     forall k, (k < length x)%nat -> D (nth k x 0) (nth k y 0) (nth k z 0)) ->
  (forall (a b c : R -> R) (da db dc t0 : R), D (a t0) (b t0) (c t0) ->
     is_derive a t0 da -> is_derive b t0 db -> is_derive c t0 dc ->
     is_derive (fun t => F (a t) (b t) (c t)) t0
       (Fx (a t0) (b t0) (c t0) * da + Fy (a t0) (b t0) (c t0) * db
        + Fz (a t0) (b t0) (c t0) * dc)) ->
  (forall ss x y z dx dy dz,
     dop_jvp o ss [x; y; z] [dx; dy; dz] =
     [isum (length x) (fun k => Fx (nth k x 0) (nth k y 0) (nth k z 0) * nth k dx 0
                                + Fy (nth k x 0) (nth k y 0) (nth k z 0) * nth k dy 0
                                + Fz (nth k x 0) (nth k y 0) (nth k z 0) * nth k dz 0)]) ->
  (forall ss x y z v g, length y = length x -> length z = length x ->
     exists pb1 pb2 pb3, dop_pullbacks R_ops o ss [x; y; z] v g = [pb1; pb2; pb3] /\
       length pb1 = length x /\ length pb2 = length x /\ length pb3 = length x /\
       forall k, (k < length x)%nat ->
         nth k pb1 0 = hd 0 g * Fx (nth k x 0) (nth k y 0) (nth k z 0) /\
         nth k pb2 0 = hd 0 g * Fy (nth k x 0) (nth k y 0) (nth k z 0) /\
         nth k pb3 0 = hd 0 g * Fz (nth k x 0) (nth k y 0) (nth k z 0)) ->
  dop_correct o.
Proof.
  intros Har Hsr Hfw HD Hder Hjvp Hpb ss decl sout Hout xs dxs t0 Hxs Hdxs Hd Hdom.
  destruct (out_shape_samescalar3 decl sout ss o Har Hsr Hout) as [[s ->] ->].
  destruct (sized3 _ _ _ _ Hdxs) as [Edx [Ldx [Ldy Ldz]]].
  destruct (sized3 _ _ _ _ (Hxs t0)) as [E0 [Lx0 [Ly0 Lz0]]].
  set (x0 := nth 0 (xs t0) []) in *. set (y0 := nth 1 (xs t0) []) in *.
  set (z0 := nth 2 (xs t0) []) in *.
  set (dx := nth 0 dxs []) in *. set (dy := nth 1 dxs []) in *. set (dz := nth 2 dxs []) in *.
  rewrite E0 in Hdom.
  assert (Hf : forall t, dop_forward R_ops o [s; s; s] (xs t) =
            [isum (shape_size s) (fun k => F (nth k (nth 0 (xs t) []) 0)
                                              (nth k (nth 1 (xs t) []) 0)
                                              (nth k (nth 2 (xs t) []) 0))]).
  { intros t. destruct (sized3 _ _ _ _ (Hxs t)) as [Et [L1 [L2 L3]]].
    rewrite <- L1, <- (Hfw [s; s; s] (nth 0 (xs t) []) (nth 1 (xs t) []) (nth 2 (xs t) []))
      by lia.
    rewrite <- Et. reflexivity. }
  exists (dop_jvp o [s; s; s] [x0; y0; z0] [dx; dy; dz]).
  rewrite Hjvp. split; [reflexivity|]. split.
  - apply entries_derive with 1%nat.
    + intros t. rewrite Hf. reflexivity.
    + reflexivity.
    + intros k Hk. destruct k as [|k]; [|lia]. cbn [nth].
      apply is_derive_ext
        with (fun t => isum (length x0) (fun k => F (nth k (nth 0 (xs t) []) 0)
                                                     (nth k (nth 1 (xs t) []) 0)
                                                     (nth k (nth 2 (xs t) []) 0))).
      { intros t. rewrite Hf, Lx0. reflexivity. }
      apply is_derive_isum. intros k Hk1.
      apply (Hder (fun t => nth k (nth 0 (xs t) []) 0) (fun t => nth k (nth 1 (xs t) []) 0)
               (fun t => nth k (nth 2 (xs t) []) 0)).
      * apply (HD x0 y0 z0); [lia|lia|exact Hdom|lia].
      * apply Hd.
      * apply Hd.
      * apply Hd.
  - intros g Hg. rewrite (length1 g Hg), dot_single. rewrite E0, Edx.
    destruct (Hpb [s; s; s] x0 y0 z0 (dop_forward R_ops o [s; s; s] [x0; y0; z0]) [hd 0 g])
      as [pb1 [pb2 [pb3 [Epb [L1 [L2 [L3 Npb]]]]]]]; [lia|lia|].
    rewrite Epb, pair_dots3.
    rewrite (dot_isum pb1 dx (length x0)) by lia.
    rewrite (dot_isum pb2 dy (length x0)) by lia.
    rewrite (dot_isum pb3 dz (length x0)) by lia.
    rewrite <- !isum_plus, <- isum_scal_l. apply isum_ext. intros k Hk.
    destruct (Npb k Hk) as [N1 [N2 N3]]. rewrite N1, N2, N3. cbn [hd]. ring.
Qed.

(** [binary_correct]'s tangent and pullback hypotheses. *)
Ltac jvp2 := intros ss x y dx dy Hy Hdx Hdy; unfold dop_jvp; cbn [nth];
  split; [apply tabulate_length | intros k Hk; rewrite nth_tabulate by exact Hk; ring].

Ltac pb2 := intros ss x y g Hy Hg; do 2 eexists; split; [reflexivity|];
  cbn [dop_pullbacks nth]; unfold vscale, vmul, vdiv, vadd, vsub;
  split; [lens| split; [lens| intros k Hk; ents; cbn; split]].

(** Derivatives of expressions in curves, by the shape of the expression
    (syntactic: unification up to the definitions of the real operations
    is slow). *)
Ltac dstep :=
  match goal with
  | |- is_derive (fun t => @?a t + @?b t) _ _ => apply (D_plus a b)
  | |- is_derive (fun t => @?a t - @?b t) _ _ => apply (D_minus a b)
  | |- is_derive (fun t => - @?a t) _ _ => apply (D_opp a)
  | |- is_derive (fun t => @?a t * @?b t) _ _ => apply (D_mult a b)
  | |- is_derive (fun t => @?a t / @?b t) _ _ => apply (D_div a b)
  | |- is_derive (fun t => ln (@?a t)) _ _ => eapply (D_comp ln _ a); [apply D_ln|]
  | |- is_derive (fun t => ?c) _ _ => apply (D_const c)
  | |- is_derive _ _ _ => eassumption
  end.

Ltac dtac := repeat dstep.

(** The side conditions [dtac] leaves (positivity, nonzero denominators) and
    the final equation of derivatives. *)
Ltac solve_side :=
  match goal with
  | |- _ <> _ => intro; lra
  | |- _ = _ => field; repeat split; intro; lra
  | |- _ => lra
  end.

(** * Elementwise operators of two and three parents *)

Lemma add_correct : dop_correct Add.
Proof.
  apply (binary_correct _ Rplus (fun _ _ => 1) (fun _ _ => 1) (fun _ _ => True)).
  1-3: reflexivity.
  - intros; exact I.
  - intros a b da db t0 _ Ha Hb. eapply is_derive_eq; [dtac|]. ring.
  - jvp2.
  - pb2; ring.
Qed.

Lemma sub_correct : dop_correct Sub.
Proof.
  apply (binary_correct _ Rminus (fun _ _ => 1) (fun _ _ => -1) (fun _ _ => True)).
  1-3: reflexivity.
  - intros; exact I.
  - intros a b da db t0 _ Ha Hb. eapply is_derive_eq; [dtac|]. ring.
  - jvp2.
  - pb2; ring.
Qed.

Lemma mul_correct : dop_correct Mul.
Proof.
  apply (binary_correct _ Rmult (fun _ b => b) (fun a _ => a) (fun _ _ => True)).
  1-3: reflexivity.
  - intros; exact I.
  - intros a b da db t0 _ Ha Hb. eapply is_derive_eq; [dtac|]. ring.
  - jvp2.
  - pb2; ring.
Qed.

Lemma div_correct : dop_correct Div.
Proof.
  apply (binary_correct _ Rdiv (fun _ b => / b) (fun a b => - (a / (b * b)))
           (fun _ b => b <> 0)).
  1-3: reflexivity.
  - intros x y Hl Hy k Hk. cbn in Hy.
    exact (proj1 (Forall_nth _ y) Hy k 0 ltac:(lia)).
  - intros a b da db t0 Hb0 Ha Hb. apply D_div; assumption.
  - jvp2.
  - pb2; unfold Rdiv; ring.
Qed.

(** * Sums of elementwise maps of two parents *)

(** [binsum_correct]'s pullback hypothesis. *)
Ltac pbs := intros ss x y v g Hy; do 2 eexists; split; [reflexivity|];
  cbn [dop_pullbacks nth];
  split; [lens| split; [lens| intros k Hk; ents; split; reflexivity]].

(** The forward sum as an [isum] of entries. *)
Lemma vsum_map2_isum (f : R -> R -> R) x y :
  length y = length x ->
  vsum R_ops (map2 f x y) = isum (length x) (fun k => f (nth k x 0) (nth k y 0)).
Proof.
  intros Hl. rewrite vsum_isum, map2_length, Hl, Nat.min_id.
  apply isum_ext. intros k Hk. rewrite nth_map2 by lia. reflexivity.
Qed.

Lemma mvn_kl_correct : dop_correct MvnKl.
Proof.
  apply (binsum_correct _ (fun mu s => (mu * mu + s * s - 1) / (1 + 1) - ln s)
           (fun mu _ => mu) (fun _ s => s - 1 / s) (fun _ s => 0 < s)).
  1-2: reflexivity.
  - intros ss x y Hl. cbn [dop_forward nth]. rewrite vsum_map2_isum by exact Hl.
    reflexivity.
  - intros x y Hl Hy k Hk. cbn in Hy.
    exact (proj1 (Forall_nth _ y) Hy k 0 ltac:(lia)).
  - intros a b da db t0 Hb0 Ha Hb. eapply is_derive_eq; [dtac; solve_side | solve_side].
  - reflexivity.
  - pbs.
Qed.

Lemma vsum_map3_isum (f : R -> R -> R -> R) x y z :
  length y = length x -> length z = length x ->
  vsum R_ops (map3 f x y z) = isum (length x) (fun k => f (nth k x 0) (nth k y 0) (nth k z 0)).
Proof.
  intros Hy Hz. rewrite vsum_isum, map3_length, Hy, Hz, !Nat.min_id.
  apply isum_ext. intros k Hk. rewrite nth_map3 by lia. reflexivity.
Qed.

(** Per entry, with [d = (z - mu) / s]: [(z^2 - d^2) / 2 - ln s]. *)
Lemma mvn_empirical_kl_correct : dop_correct MvnEmpiricalKl.
Proof.
  apply (trisum_correct _
           (fun mu s z => (z * z - (z - mu) / s * ((z - mu) / s)) / (1 + 1) - ln s)
           (fun mu s z => (z - mu) / s / s)
           (fun mu s z => ((z - mu) / s * ((z - mu) / s) - 1) / s)
           (fun mu s z => z - (z - mu) / s / s)
           (fun _ s _ => 0 < s)).
  1-2: reflexivity.
  - intros ss x y z Hy Hz. cbn [dop_forward nth]. rewrite vsum_map3_isum by assumption.
    reflexivity.
  - intros x y z Hy Hz Hdom k Hk. cbn in Hdom.
    exact (proj1 (Forall_nth _ y) Hdom k 0 ltac:(lia)).
  - intros a b c da db dc t0 Hb0 Ha Hb Hc.
    eapply is_derive_eq; [dtac; solve_side | solve_side].
  - reflexivity.
  - intros ss x y z v g Hy Hz. do 3 eexists. split; [reflexivity|].
    cbn [dop_pullbacks nth].
    split; [lens| split; [lens| split; [lens| intros k Hk; ents; split; [|split]; reflexivity]]].
Qed.

Lemma bernoulli_neglogpdf_correct : dop_correct BernoulliNeglogpdf.
Proof.
  apply (binsum_correct _ (fun p b => - (b * ln p + (1 - b) * ln (1 - p)))
           (fun p b => (1 - b) / (1 - p) - b / p) (fun p _ => ln (1 - p) - ln p)
           (fun p _ => 0 < p /\ p < 1)).
  1-2: reflexivity.
  - intros ss x y Hl. cbn [dop_forward nth]. rewrite vsum_map2_isum by exact Hl.
    rewrite <- isum_opp. reflexivity.
  - intros x y Hl Hx k Hk. cbn in Hx.
    exact (proj1 (Forall_nth _ x) Hx k 0 Hk).
  - intros a b da db t0 [Ha0 Ha1] Ha Hb. eapply is_derive_eq; [dtac; solve_side | solve_side].
  - reflexivity.
  - pbs.
Qed.

(** * Sum *)

Lemma nth_repeat_lt (a : R) n k : (k < n)%nat -> nth k (repeat a n) 0 = a.
Proof.
  intros Hk. rewrite (nth_indep _ 0 a) by (rewrite repeat_length; exact Hk).
  apply nth_repeat.
Qed.

Lemma sum_correct : dop_correct Sum.
Proof.
  intros ss decl sout Hout xs dxs t0 Hxs Hdxs Hd Hdom.
  destruct (out_shape_scalar1 decl sout ss Sum eq_refl eq_refl Hout) as [[s ->] ->].
  destruct (sized1 _ _ Hdxs) as [Edx Ldx].
  destruct (sized1 _ _ (Hxs t0)) as [E0 L0].
  set (x0 := nth 0 (xs t0) []) in *. set (dx := nth 0 dxs []) in *.
  exists (dop_jvp Sum [s] [x0] [dx]).
  change (dop_jvp Sum [s] [x0] [dx]) with [isum (length x0) (fun k => nth k dx 0)].
  split; [reflexivity|]. split.
  - apply entries_derive with 1%nat; [reflexivity|reflexivity|].
    intros k Hk. destruct k as [|k]; [|lia].
    apply is_derive_ext with (fun t => isum (length x0) (fun k => nth k (nth 0 (xs t) []) 0)).
    { intros t. change (nth 0 (dop_forward R_ops Sum [s] (xs t)) 0)
        with (vsum R_ops (nth 0 (xs t) [])).
      rewrite vsum_isum. destruct (sized1 _ _ (Hxs t)) as [_ Lt]. rewrite Lt, L0.
      reflexivity. }
    apply is_derive_isum. intros k Hk1. apply Hd.
  - intros g Hg. rewrite (length1 g Hg), dot_single. rewrite E0, Edx.
    change (dop_pullbacks R_ops Sum [s] [x0] (dop_forward R_ops Sum [s] [x0]) [hd 0 g])
      with [repeat (hd 0 g) (length x0)].
    rewrite pair_dots1, (dot_isum _ _ (length x0)) by (rewrite ?repeat_length; lia).
    rewrite <- isum_scal_l. apply isum_ext. intros k Hk.
    rewrite nth_repeat_lt by exact Hk. reflexivity.
Qed.

(** * mul_add *)

Lemma mul_add_correct : dop_correct MulAdd.
Proof.
  intros ss decl sout Hout xs dxs t0 Hxs Hdxs Hd Hdom.
  rewrite (out_shape_same3 decl sout ss MulAdd eq_refl eq_refl Hout) in *.
  destruct (sized3 _ _ _ _ Hdxs) as [Edx [Ldx [Ldy Ldz]]].
  destruct (sized3 _ _ _ _ (Hxs t0)) as [E0 [Lx0 [Ly0 Lz0]]].
  set (x0 := nth 0 (xs t0) []) in *. set (y0 := nth 1 (xs t0) []) in *.
  set (z0 := nth 2 (xs t0) []) in *.
  set (dx := nth 0 dxs []) in *. set (dy := nth 1 dxs []) in *.
  set (dz := nth 2 dxs []) in *.
  exists (dop_jvp MulAdd [sout; sout; sout] [x0; y0; z0] [dx; dy; dz]).
  change (dop_jvp MulAdd [sout; sout; sout] [x0; y0; z0] [dx; dy; dz])
    with (tabulate (length x0)
            (fun k => nth k y0 0 * nth k dx 0 + nth k x0 0 * nth k dy 0 + nth k dz 0)).
  rewrite tabulate_length. split; [lia|]. split.
  - apply entries_derive with (shape_size sout).
    + intros t. destruct (sized3 _ _ _ _ (Hxs t)) as [_ [L1 [L2 L3]]].
      cbn [dop_forward nth]. rewrite map3_length. lia.
    + rewrite tabulate_length. lia.
    + intros k Hk.
      apply is_derive_ext with (fun t => nth k (nth 0 (xs t) []) 0 * nth k (nth 1 (xs t) []) 0
                                         + nth k (nth 2 (xs t) []) 0).
      { intros t. destruct (sized3 _ _ _ _ (Hxs t)) as [_ [L1 [L2 L3]]].
        cbn [dop_forward nth]. rewrite (nth_map3 (A := R)) by lia. reflexivity. }
      rewrite nth_tabulate by lia.
      pose proof (Hd 0%nat k) as H0. pose proof (Hd 1%nat k) as H1.
      pose proof (Hd 2%nat k) as H2.
      eapply is_derive_eq; [dtac|]. subst x0 y0 dx dy dz. ring.
  - intros g Hg. rewrite E0, Edx.
    change (dop_pullbacks R_ops MulAdd [sout; sout; sout] [x0; y0; z0]
              (dop_forward R_ops MulAdd [sout; sout; sout] [x0; y0; z0]) g)
      with [vmul R_ops g y0; vmul R_ops g x0; g].
    rewrite pair_dots3. unfold vmul.
    rewrite (dot_isum g _ (length x0)) by (rewrite ?tabulate_length; lia).
    rewrite (dot_isum (map2 _ g y0) dx (length x0)) by lens.
    rewrite (dot_isum (map2 _ g x0) dy (length x0)) by lens.
    rewrite (dot_isum g dz (length x0)) by lia.
    rewrite <- !isum_plus. apply isum_ext. intros k Hk.
    rewrite nth_tabulate by exact Hk. rewrite !nth_map2 by lia. cbn. ring.
Qed.

(** * gemm *)

Lemma flat_lt m n i j : (i < m)%nat -> (j < n)%nat -> (i * n + j < m * n)%nat.
Proof. intros Hi Hj. nia. Qed.

(** Entry (i, j) of [g], entry (i, l) of [A], entry (l, j) of [B], for
    [g] [m x n], [A] [m x k], [B] [k x n]. *)
Section GemmDual.
Variables (m k n : nat) (g A dA B dB : list R).
Hypotheses (Hg : length g = (m * n)%nat) (HA : length A = (m * k)%nat)
  (HdA : length dA = (m * k)%nat) (HB : length B = (k * n)%nat)
  (HdB : length dB = (k * n)%nat).

Let G i j := nth (i * n + j) g 0.
Let EA (a : list R) i l := nth (i * k + l) a 0.
Let EB (b : list R) l j := nth (l * n + j) b 0.

(** [<g, dA B + A dB>] as a triple sum. *)
Lemma gemm_tangent_dot :
  dot R_ops g (map2 Rplus (gemm R_ops m k n dA B) (gemm R_ops m k n A dB)) =
  isum m (fun i => isum n (fun j => isum k (fun l => G i j * EA dA i l * EB B l j)))
  + isum m (fun i => isum n (fun j => isum k (fun l => G i j * EA A i l * EB dB l j))).
Proof.
  rewrite (dot_isum g _ (m * n)) by (rewrite ?map2_length, ?gemm_length by assumption; lia).
  rewrite isum_mul, <- isum_plus.
  apply isum_ext. intros i Hi. rewrite <- isum_plus. apply isum_ext. intros j Hj.
  rewrite nth_map2 by (rewrite gemm_length by assumption; apply flat_lt; assumption).
  rewrite !nth_gemm by assumption.
  rewrite <- isum_plus, <- !isum_scal_l, <- isum_plus. apply isum_ext. intros l Hl.
  unfold G, EA, EB. ring.
Qed.

(** [<g B^T, dA>] as the same kind of triple sum. *)
Lemma gemm_pullback_A_dot :
  dot R_ops (gemm R_ops m n k g (mtranspose k n B)) dA =
  isum m (fun i => isum n (fun j => isum k (fun l => G i j * EA dA i l * EB B l j))).
Proof.
  assert (HBt : length (mtranspose k n B) = (n * k)%nat) by (apply mtranspose_length; exact HB).
  rewrite (dot_isum _ dA (m * k)) by (rewrite ?gemm_length by assumption; lia).
  rewrite isum_mul. apply isum_ext. intros i Hi.
  transitivity (isum k (fun l => isum n (fun j => G i j * EA dA i l * EB B l j))).
  - apply isum_ext. intros l Hl. rewrite nth_gemm by assumption.
    rewrite <- isum_scal_r. apply isum_ext. intros j Hj.
    rewrite nth_mtranspose by assumption. unfold G, EA, EB. ring.
  - apply isum_swap.
Qed.

(** [<A^T g, dB>] as the same kind of triple sum. *)
Lemma gemm_pullback_B_dot :
  dot R_ops (gemm R_ops k m n (mtranspose m k A) g) dB =
  isum m (fun i => isum n (fun j => isum k (fun l => G i j * EA A i l * EB dB l j))).
Proof.
  assert (HAt : length (mtranspose m k A) = (k * m)%nat) by (apply mtranspose_length; exact HA).
  rewrite (dot_isum _ dB (k * n)) by (rewrite ?gemm_length by assumption; lia).
  rewrite isum_mul.
  transitivity (isum k (fun l => isum n (fun j => isum m (fun i => G i j * EA A i l * EB dB l j)))).
  - apply isum_ext. intros l Hl. apply isum_ext. intros j Hj.
    rewrite nth_gemm by assumption. rewrite <- isum_scal_r. apply isum_ext. intros i Hi.
    rewrite nth_mtranspose by assumption. unfold G, EA, EB. ring.
  - transitivity (isum k (fun l => isum m (fun i => isum n (fun j => G i j * EA A i l * EB dB l j)))).
    + apply isum_ext. intros l Hl. apply isum_swap.
    + rewrite isum_swap. apply isum_ext. intros i Hi. apply isum_swap.
Qed.

End GemmDual.

Lemma gemm_correct : dop_correct Gemm.
Proof.
  intros ss decl sout Hout xs dxs t0 Hxs Hdxs Hd Hdom.
  destruct (out_shape_gemm decl sout ss Hout) as [m [k [n [-> ->]]]].
  destruct (sized2 _ _ _ Hdxs) as [Edx [LdA LdB]].
  destruct (sized2 _ _ _ (Hxs t0)) as [E0 [LA0 LB0]].
  assert (Hsz : forall a b, shape_size [a; b] = (a * b)%nat)
    by (intros; cbn; rewrite Nat.mul_1_r; reflexivity).
  rewrite !Hsz in *.
  set (A0 := nth 0 (xs t0) []) in *. set (B0 := nth 1 (xs t0) []) in *.
  set (dA := nth 0 dxs []) in *. set (dB := nth 1 dxs []) in *.
  assert (Hf : forall t, dop_forward R_ops Gemm [[m; k]; [k; n]] (xs t) =
                         gemm R_ops m k n (nth 0 (xs t) []) (nth 1 (xs t) [])) by reflexivity.
  exists (dop_jvp Gemm [[m; k]; [k; n]] [A0; B0] [dA; dB]).
  change (dop_jvp Gemm [[m; k]; [k; n]] [A0; B0] [dA; dB])
    with (vadd R_ops (gemm R_ops m k n dA B0) (gemm R_ops m k n A0 dB)).
  unfold vadd. change (s_add R_ops) with Rplus.
  assert (Lv : length (map2 Rplus (gemm R_ops m k n dA B0) (gemm R_ops m k n A0 dB))
               = (m * n)%nat)
    by (rewrite map2_length, !gemm_length by assumption; lia).
  split; [exact Lv|]. split.
  - apply entries_derive with (m * n)%nat; [|exact Lv|].
    { intros t. rewrite Hf. destruct (sized2 _ _ _ (Hxs t)) as [_ [L1 L2]].
      rewrite !Hsz in L1, L2. apply gemm_length; assumption. }
    intros p Hp. destruct (flat_index m n p Hp) as [i [j [Hi [Hj ->]]]].
    apply is_derive_ext
      with (fun t => isum k (fun l => nth (i * k + l) (nth 0 (xs t) []) 0
                                      * nth (l * n + j) (nth 1 (xs t) []) 0)).
    { intros t. rewrite Hf. destruct (sized2 _ _ _ (Hxs t)) as [_ [L1 L2]].
      rewrite !Hsz in L1, L2. rewrite nth_gemm by assumption. reflexivity. }
    rewrite nth_map2 by (rewrite gemm_length by assumption; apply flat_lt; assumption).
    rewrite !nth_gemm by assumption. rewrite <- isum_plus.
    apply is_derive_isum. intros l Hl.
    eapply is_derive_eq; [apply D_mult; apply Hd|]. cbv beta. subst A0 B0 dA dB. ring.
  - intros g Hg. rewrite E0, Edx.
    change (dop_pullbacks R_ops Gemm [[m; k]; [k; n]] [A0; B0]
              (dop_forward R_ops Gemm [[m; k]; [k; n]] [A0; B0]) g)
      with [gemm R_ops m n k g (mtranspose k n B0); gemm R_ops k m n (mtranspose m k A0) g].
    rewrite pair_dots2, (gemm_tangent_dot m k n g A0 dA B0 dB),
      (gemm_pullback_A_dot m k n g A0 dA B0 dB), (gemm_pullback_B_dot m k n g A0 dA B0 dB)
      by assumption.
    reflexivity.
Qed.

(** * All operators *)

Theorem all_dops_correct : forall o : dop R, dop_correct o.
Proof.
  intros o; destruct o.
  - apply scale_correct.
  - apply neg_correct.
  - apply exp_correct.
  - apply log_correct.
  - apply sqrt_correct.
  - apply sigmoid_correct.
  - apply softplus_correct.
  - apply add_correct.
  - apply sub_correct.
  - apply mul_correct.
  - apply div_correct.
  - apply sum_correct.
  - apply gemm_correct.
  - apply mul_add_correct.
  - apply mvn_kl_correct.
  - apply mvn_empirical_kl_correct.
  - apply bernoulli_neglogpdf_correct.
Qed.

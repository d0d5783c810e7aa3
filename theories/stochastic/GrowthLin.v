(** * Linear growth in the draws, and [exp] of it

    GrowthDefs.v's tags do not tell linear from exponential growth, so
    GrowthOps.v refuses [exp] of any value that depends on the draws.  Here
    a value is "linear" ([lin]) when every entry is bounded by
    [L (1 + |xs|_1)] on the interval, [L] one constant for all entries.
    Then [exp] of a linear value of any tag has exponential growth
    ([exp_lin_tag]: [|exp u| <= e^L e^(L |xs|_1)], its derivative
    [exp u * u'] too).

    [op_lin o ps bs]: the output of [o] is linear when its parents are
    linear ([ps]) or bounded ([bs]) as follows: [neg], [scale], [softplus]
    ([|softplus u| <= |u| + 1]) of a linear value; [sigmoid] of anything;
    [add], [sub] of linear values; [mul] and [mul_add] with bounded factors.
    A bounded value (tag [GBnd]/[GPos]) is linear ([bnd_lin]); a draw is
    ([segment_lin]).  [op_lin_sound] proves the table. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals List Arith Bool Lia Lra.
From Certigrad Require Import Scalar Tensor TensorFacts Ops OpsJvp.
From Certigrad Require Import GrowthDefs GrowthScalar StdFlatten GrowthOps.
Import ListNotations.

Local Open Scope R_scope.

Section Lin.
Variables a b : R.

Definition lin (V : tfun) : Prop :=
  exists L, 0 <= L /\ forall t xs i, a < t < b -> Rabs (nth i (V t xs) 0) <= L * (1 + norm1 xs).

(** * Bounded values *)

Lemma uniform_upper (n : nat) (f : nat -> R -> list R -> R) :
  (forall i, (i < n)%nat -> exists S, forall t xs, a < t < b -> Rabs (f i t xs) <= S) ->
  exists S, 0 <= S /\ forall t xs i, a < t < b -> (i < n)%nat -> Rabs (f i t xs) <= S.
Proof.
  induction n as [|n IH]; intros H; [exists 0; split; [lra|intros; lia]|].
  destruct IH as [S1 [HS1 H1]]; [intros i Hi; apply H; lia|].
  destruct (H n) as [S2 H2]; [lia|].
  exists (Rmax S1 S2). split; [eapply Rle_trans; [exact HS1|apply Rmax_l]|].
  intros t xs i Ht Hi. destruct (Nat.eq_dec i n) as [->|Hne].
  - eapply Rle_trans; [apply H2, Ht|apply Rmax_r].
  - eapply Rle_trans; [apply H1; [exact Ht|lia]|apply Rmax_l].
Qed.

(** A bounded tag bounds every entry by one constant. *)
Lemma bnd_uniform (tg : gtag) (n : nat) (V : tfun) :
  is_bnd tg = true -> tag_holds a b tg n V ->
  exists S, 0 <= S /\ forall t xs i, a < t < b -> Rabs (nth i (V t xs) 0) <= S.
Proof.
  intros Hb HV. destruct (tag_exp a b _ _ _ HV) as [Hl [c [Hc [Hb0 Hs]]]].
  rewrite (Hb0 Hb) in Hs.
  destruct (uniform_upper n (fun i t xs => nth i (V t xs) 0)) as [S [HS0 HS]].
  { intros i _. apply sg0_bounded, Hs. }
  exists S. split; [exact HS0|]. intros t xs i Ht.
  destruct (Nat.lt_ge_cases i n) as [Hi|Hi]; [apply HS; assumption|].
  rewrite nth_overflow by (rewrite Hl; exact Hi). rewrite Rabs_R0. exact HS0.
Qed.

Lemma one_norm1 (xs : list R) : 1 <= 1 + norm1 xs.
Proof. pose proof (norm1_nonneg xs). lra. Qed.

Lemma bnd_lin (tg : gtag) (n : nat) (V : tfun) :
  is_bnd tg = true -> tag_holds a b tg n V -> lin V.
Proof.
  intros Hb HV. destruct (bnd_uniform tg n V Hb HV) as [S [HS0 HS]].
  exists S. split; [exact HS0|]. intros t xs i Ht.
  pose proof (one_norm1 xs). eapply Rle_trans; [apply HS, Ht|]. nra.
Qed.

Lemma segment_lin (k n : nat) : lin (fun _ xs => draw_segment k n xs).
Proof.
  exists 1. split; [lra|]. intros t xs i _. unfold draw_segment.
  destruct (Nat.lt_ge_cases i n) as [Hi|Hi].
  - rewrite (nth_map_in _ _ _ i 0 0%nat) by (rewrite seq_length; exact Hi).
    rewrite seq_nth by exact Hi. simpl. pose proof (nth_le_norm1 xs (k + i)). lra.
  - rewrite nth_overflow by (rewrite map_length, seq_length; exact Hi). rewrite Rabs_R0.
    pose proof (norm1_nonneg xs). lra.
Qed.

(** * exp of a linear value *)

Lemma sg_exp_lin (c L : R) (u : R -> list R -> R) :
  0 <= c -> 0 <= L -> sg a b c u ->
  (forall t xs, a < t < b -> Rabs (u t xs) <= L * (1 + norm1 xs)) ->
  sg a b (L + c) (fun t xs => exp (u t xs)).
Proof.
  intros Hc HL Hu Hlin.
  destruct (sg_elim a b _ _ Hu) as (du & Hdu & Hcu & Hcdu & Bu & Bdu).
  assert (Be : gbound a b L (fun t xs => exp (u t xs))).
  { exists (exp L). intros t xs Ht. rewrite Rabs_pos_eq by apply Rlt_le, exp_pos.
    rewrite <- exp_plus. apply exp_mono_le.
    pose proof (Hlin t xs Ht). pose proof (Rle_abs (u t xs)). lra. }
  apply (sg_intro a b _ _ (fun t xs => exp (u t xs) * du t xs)).
  - intros t xs Ht. apply D_comp; [apply D_exp|apply Hdu, Ht].
  - intros t Ht. apply sep_cont_comp; [|apply Hcu, Ht].
    intros zs. eapply derive_continuity, D_exp.
  - intros t Ht. apply sep_cont_mult; [apply sep_cont_comp; [|apply Hcu, Ht]|apply Hcdu, Ht].
    intros zs. eapply derive_continuity, D_exp.
  - apply (gbound_weaken a b L); [lra|exact Be].
  - apply gbound_mult; [exact Be|exact Bdu].
Qed.

Lemma exp_lin_tag (tg : gtag) (n : nat) (X : tfun) :
  tag_holds a b tg n X -> lin X -> tag_holds a b GGood n (fun t xs => map exp (X t xs)).
Proof.
  intros HX [L [HL Hlin]]. destruct (tag_exp a b _ _ _ HX) as [Hl [c [Hc [_ Hs]]]].
  split; [intros; rewrite map_length; apply Hl|].
  exists (L + c). split; [lra|].
  apply (map_tsg a b exp (L + c) n); [lra|exact Hl|].
  intros i _. apply sg_exp_lin; [exact Hc|exact HL|apply Hs|].
  intros t xs Ht. apply Hlin, Ht.
Qed.

(** * A sum of values bounded below by positive constants

    GrowthOps.v tags such a sum bounded; it is also bounded below by the sum
    of the two constants ([GPos]): [softplus(u) + c] with [c] in a positive
    box may be the sigma of [mvn_kl], the operand of [log], ... *)

Definition pos_add {T : Type} (o : @dop T) (ts : list gtag) : bool :=
  match o, ts with Add, [GPos; GPos] => true | _, _ => false end.

Lemma add_pos_tag (n : nat) (X Y : tfun) :
  tag_holds a b GPos n X -> tag_holds a b GPos n Y ->
  tag_holds a b GPos n (fun t xs => map2 Rplus (X t xs) (Y t xs)).
Proof.
  intros HX HY.
  destruct (binary_tag a b Rplus GPos GPos n X Y) as [Hl Hs]; [|exact HX|exact HY|].
  { intros c1 c2 u v H1 H2 Hu Hv. apply (sg_plus_le a b _ c1 c2); auto; lra. }
  destruct HX as [HlX [_ [L1 [HL1 B1]]]], HY as [HlY [_ [L2 [HL2 B2]]]].
  split; [exact Hl|]. split; [exact Hs|]. exists (L1 + L2). split; [lra|].
  intros t xs i Ht Hi. rewrite (nth_map2_len Rplus _ _ n) by (apply HlX || apply HlY || exact Hi).
  pose proof (B1 t xs i Ht Hi). pose proof (B2 t xs i Ht Hi). lra.
Qed.

Lemma pos_add_sound (o : dop R) (ss : list shape) (decl sout : shape)
    (Vs : R -> list R -> list (list R)) (ts : list gtag) :
  pos_add o ts = true -> op_out_shape (ODet o) decl ss = Some sout -> length ts = length ss ->
  (forall i, (i < length ss)%nat ->
     tag_holds a b (nth i ts GGood) (shape_size (nth i ss [])) (fun t xs => nth i (Vs t xs) [])) ->
  tag_holds a b GPos (shape_size sout) (fun t xs => dop_forward R_ops o ss (Vs t xs)).
Proof.
  intros Hp Hs Hl H. destruct o; try discriminate.
  destruct ts as [|[] [|[] [|]]]; try discriminate.
  pose proof (OpsCorrect.out_shape_same2 _ _ _ Add eq_refl eq_refl Hs) as ->.
  pose proof (H 0%nat ltac:(simpl; lia)) as H0. pose proof (H 1%nat ltac:(simpl; lia)) as H1.
  simpl in H0, H1. apply (add_pos_tag _ _ _ H0 H1).
Qed.

(** * The entries of elementwise maps *)

Lemma abs_nth_map (f : R -> R) (x : list R) (i : nat) :
  Rabs (nth i (map f x) 0) <= Rabs (f (nth i x 0)).
Proof.
  destruct (Nat.lt_ge_cases i (length x)) as [Hi|Hi].
  - rewrite (nth_map_in _ _ _ i 0 0) by exact Hi. lra.
  - rewrite nth_overflow by (rewrite map_length; exact Hi). rewrite Rabs_R0. apply Rabs_pos.
Qed.

Lemma abs_nth_map2 (f : R -> R -> R) (x y : list R) (i : nat) :
  Rabs (nth i (map2 f x y) 0) <= Rabs (f (nth i x 0) (nth i y 0)).
Proof.
  revert x y. induction i as [|i IH]; intros [|x0 x] [|y0 y]; simpl; try (rewrite Rabs_R0; apply Rabs_pos).
  - lra.
  - apply IH.
Qed.

Lemma abs_nth_map3 (f : R -> R -> R -> R) (x y z : list R) (i : nat) :
  Rabs (nth i (map3 f x y z) 0) <= Rabs (f (nth i x 0) (nth i y 0) (nth i z 0)).
Proof.
  revert x y z. induction i as [|i IH]; intros [|x0 x] [|y0 y] [|z0 z]; simpl;
    try (rewrite Rabs_R0; apply Rabs_pos).
  - lra.
  - apply IH.
Qed.

(** * The table *)

(** [ps]: which parents are linear; [bs]: which are bounded. *)
Definition op_lin {T : Type} (o : @dop T) (ps bs : list bool) : bool :=
  let p i := nth i ps false in
  let q i := nth i bs false in
  match o with
  | Neg | Scale _ | Softplus => p 0%nat
  | Sigmoid => true
  | Add | Sub => p 0%nat && p 1%nat
  | Mul => (q 0%nat && p 1%nat) || (p 0%nat && q 1%nat)
  | MulAdd => ((q 0%nat && p 1%nat) || (p 0%nat && q 1%nat)) && p 2%nat
  | _ => false
  end.

Lemma lin_intro (V : tfun) (L : R) :
  0 <= L -> (forall t xs i, a < t < b -> Rabs (nth i (V t xs) 0) <= L * (1 + norm1 xs)) -> lin V.
Proof. intros H1 H2. exists L. auto. Qed.

Lemma bounded_of (V : tfun) :
  (exists S, 0 <= S /\ forall t xs i, a < t < b -> Rabs (nth i (V t xs) 0) <= S) -> lin V.
Proof.
  intros [S [HS H]]. apply (lin_intro V S HS). intros t xs i Ht.
  pose proof (one_norm1 xs). eapply Rle_trans; [apply H, Ht|]. nra.
Qed.

Lemma lin_mul (S L : R) (x y : R) (xs : list R) :
  0 <= S -> 0 <= L -> Rabs x <= S -> Rabs y <= L * (1 + norm1 xs) ->
  Rabs (x * y) <= (S * L) * (1 + norm1 xs).
Proof.
  intros HS HL Hx Hy. rewrite Rabs_mult, Rmult_assoc.
  apply Rmult_le_compat; try apply Rabs_pos; assumption.
Qed.

Section Table.
Variables (ss : list shape) (Vs : R -> list R -> list (list R)) (ps bs : list bool).
Hypothesis Hp : forall i, nth i ps false = true -> lin (fun t xs => nth i (Vs t xs) []).
Hypothesis Hb : forall i, nth i bs false = true ->
  exists S, 0 <= S /\ forall t xs k, a < t < b -> Rabs (nth k (nth i (Vs t xs) []) 0) <= S.

Local Notation P i := (lin (fun t xs => nth i (Vs t xs) [])).

Lemma mul_entry_lin (i j : nat) (F : list R -> list R -> list R) :
  nth i bs false = true -> nth j ps false = true ->
  (forall t xs k, Rabs (nth k (F (nth i (Vs t xs) []) (nth j (Vs t xs) [])) 0) <=
     Rabs (nth k (nth i (Vs t xs) []) 0 * nth k (nth j (Vs t xs) []) 0)) ->
  lin (fun t xs => F (nth i (Vs t xs) []) (nth j (Vs t xs) [])).
Proof.
  intros Hi Hj HF. destruct (Hb i Hi) as [S [HS HSb]]. destruct (Hp j Hj) as [L [HL HLb]].
  apply (lin_intro _ (S * L)); [apply Rmult_le_pos; assumption|]. intros t xs k Ht.
  eapply Rle_trans; [apply HF|]. apply lin_mul; auto.
Qed.

Theorem op_lin_sound (o : dop R) :
  op_lin o ps bs = true -> lin (fun t xs => dop_forward R_ops o ss (Vs t xs)).
Proof.
  intros H. destruct o; simpl in H |- *; try discriminate.
  - (* scale *)
    destruct (Hp 0%nat H) as [L [HL HLb]]. apply (lin_intro _ (Rabs a0 * L)); [apply Rmult_le_pos; [apply Rabs_pos|exact HL]|].
    intros t xs k Ht. unfold vscale. eapply Rle_trans; [apply abs_nth_map|]. simpl.
    rewrite Rabs_mult, Rmult_assoc. apply Rmult_le_compat_l; [apply Rabs_pos|apply HLb, Ht].
  - (* neg *)
    destruct (Hp 0%nat H) as [L [HL HLb]]. apply (lin_intro _ L HL).
    intros t xs k Ht. eapply Rle_trans; [apply abs_nth_map|]. simpl. rewrite Rabs_Ropp. apply HLb, Ht.
  - (* sigmoid *)
    apply bounded_of. exists 1. split; [lra|]. intros t xs k _.
    eapply Rle_trans; [apply abs_nth_map|]. simpl.
    pose proof (sigmoid_in_01 (nth k (nth 0 (Vs t xs) []) 0)). rewrite Rabs_pos_eq; lra.
  - (* softplus *)
    destruct (Hp 0%nat H) as [L [HL HLb]]. apply (lin_intro _ (L + 1)); [lra|].
    intros t xs k Ht. eapply Rle_trans; [apply abs_nth_map|]. simpl.
    set (y := nth k (nth 0 (Vs t xs) []) 0).
    pose proof (softplus_pos y). pose proof (softplus_le_abs y). pose proof (HLb t xs k Ht).
    pose proof (one_norm1 xs). fold y in H2. rewrite Rabs_pos_eq by lra. nra.
  - (* add *)
    apply andb_true_iff in H as [H0 H1].
    destruct (Hp 0%nat H0) as [L0 [HL0 B0]]. destruct (Hp 1%nat H1) as [L1 [HL1 B1]].
    apply (lin_intro _ (L0 + L1)); [lra|]. intros t xs k Ht. unfold vadd.
    eapply Rle_trans; [apply abs_nth_map2|]. simpl.
    eapply Rle_trans; [apply Rabs_triang|]. pose proof (B0 t xs k Ht). pose proof (B1 t xs k Ht). lra.
  - (* sub *)
    apply andb_true_iff in H as [H0 H1].
    destruct (Hp 0%nat H0) as [L0 [HL0 B0]]. destruct (Hp 1%nat H1) as [L1 [HL1 B1]].
    apply (lin_intro _ (L0 + L1)); [lra|]. intros t xs k Ht. unfold vsub.
    eapply Rle_trans; [apply abs_nth_map2|]. simpl.
    pose proof (B0 t xs k Ht). pose proof (B1 t xs k Ht).
    unfold Rminus. eapply Rle_trans; [apply Rabs_triang|]. rewrite Rabs_Ropp. lra.
  - (* mul *)
    apply orb_true_iff in H as [H|H]; apply andb_true_iff in H as [H0 H1]; unfold vmul.
    + apply (mul_entry_lin 0 1 (map2 Rmult)); auto. intros. apply abs_nth_map2.
    + apply (mul_entry_lin 1 0 (fun x y => map2 Rmult y x)); auto. intros t xs k.
      eapply Rle_trans; [apply abs_nth_map2|]. rewrite Rmult_comm. lra.
  - (* mul_add *)
    apply andb_true_iff in H as [Hm H2].
    destruct (Hp 2%nat H2) as [L2 [HL2 B2]].
    assert (Hxy : exists L, 0 <= L /\ forall t xs k, a < t < b ->
              Rabs (nth k (nth 0 (Vs t xs) []) 0 * nth k (nth 1 (Vs t xs) []) 0) <= L * (1 + norm1 xs)).
    { apply orb_true_iff in Hm as [Hm|Hm]; apply andb_true_iff in Hm as [H0 H1].
      - destruct (Hb 0%nat H0) as [S [HS BS]]. destruct (Hp 1%nat H1) as [L [HL BL]].
        exists (S * L). split; [apply Rmult_le_pos; assumption|]. intros t xs k Ht. apply lin_mul; auto.
      - destruct (Hb 1%nat H1) as [S [HS BS]]. destruct (Hp 0%nat H0) as [L [HL BL]].
        exists (S * L). split; [apply Rmult_le_pos; assumption|]. intros t xs k Ht. rewrite Rmult_comm. apply lin_mul; auto. }
    destruct Hxy as [L [HL BL]]. apply (lin_intro _ (L + L2)); [lra|]. intros t xs k Ht.
    eapply Rle_trans; [apply abs_nth_map3|].
    eapply Rle_trans; [apply Rabs_triang|]. pose proof (BL t xs k Ht). pose proof (B2 t xs k Ht). lra.
Qed.

End Table.

End Lin.

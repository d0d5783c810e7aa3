(** * Interval analysis of the deterministic operators

    An interval [(lo, hi)] has rational end points, each optional (a
    missing one is infinite); it holds of a tensor when every entry [x]
    satisfies [lo <= x <= hi] ([itv_holds]).  [dop_itv o is] is an
    interval for the output of the deterministic operator [o] when its
    parents lie in the intervals [is]:

    - [neg], [add], [sub]: the usual end-point arithmetic;
    - [mul], [mul_add]: the four corner products when both factors are
      bounded, else unbounded;
    - [exp x >= 1 + x]; [softplus x >= max(x, 0)]; [sqrt x >= min(x, 1)]
      for [x >= 0] (and [sqrt >= 0]); [sigmoid] in [[0, 1]];
    - every other operator: unbounded.

    [dop_itv_sound] proves it for the real operators.  The checker
    (Certify.v) uses it with the sign analysis of UnbiasedExamples.v to
    decide the operator domains on input boxes.  Everything is computable
    ([vm_compute]) and extracted. *)

From Coq Require Import Reals QArith Qreals Qminmax Ascii String ZArith NArith List Lra.
From Certigrad Require Import Scalar Tensor Ops.
Import ListNotations.

Local Open Scope R_scope.

(** * Intervals *)

Definition itv : Type := (option Q * option Q)%type.

Definition top : itv := (None, None).

Definition lo_holds (l : option Q) (x : R) : Prop :=
  match l with Some q => Q2R q <= x | None => True end.

Definition hi_holds (h : option Q) (x : R) : Prop :=
  match h with Some q => x <= Q2R q | None => True end.

Definition in_itv (i : itv) (x : R) : Prop := lo_holds (fst i) x /\ hi_holds (snd i) x.

Definition itv_holds (i : itv) (v : list R) : Prop := Forall (in_itv i) v.

Lemma top_holds (v : list R) : itv_holds top v.
Proof. induction v; constructor; [split; exact I|exact IHv]. Qed.

(** * The operations *)

Definition oadd (x y : option Q) : option Q :=
  match x, y with Some a, Some b => Some (a + b)%Q | _, _ => None end.

Definition itv_neg (i : itv) : itv := (option_map Qopp (snd i), option_map Qopp (fst i)).

Definition itv_add (i1 i2 : itv) : itv := (oadd (fst i1) (fst i2), oadd (snd i1) (snd i2)).

Definition itv_mul (i1 i2 : itv) : itv :=
  match i1, i2 with
  | (Some a, Some b), (Some c, Some d) =>
      (Some (Qmin (Qmin (a * c) (a * d)) (Qmin (b * c) (b * d))),
       Some (Qmax (Qmax (a * c) (a * d)) (Qmax (b * c) (b * d))))
  | _, _ => top
  end.

Definition itv_exp (i : itv) : itv := (option_map (fun q => 1 + q)%Q (fst i), None).

Definition itv_softplus (i : itv) : itv :=
  (Some (match fst i with Some q => Qmax q 0 | None => 0%Q end), None).

Definition itv_sqrt (i : itv) : itv :=
  (Some (match fst i with Some q => if Qle_bool 0 q then Qmin q 1 else 0%Q | None => 0%Q end), None).

Definition itv_sigmoid : itv := (Some 0%Q, Some 1%Q).

Definition dop_itv {T : Type} (o : @dop T) (is : list itv) : itv :=
  let i0 := nth 0 is top in
  let i1 := nth 1 is top in
  let i2 := nth 2 is top in
  match o with
  | Neg => itv_neg i0
  | Exp => itv_exp i0
  | Sqrt => itv_sqrt i0
  | Sigmoid => itv_sigmoid
  | Softplus => itv_softplus i0
  | Add => itv_add i0 i1
  | Sub => itv_add i0 (itv_neg i1)
  | Mul => itv_mul i0 i1
  | MulAdd => itv_add (itv_mul i0 i1) i2
  | _ => top
  end.

(** * Soundness, one real at a time *)

Lemma Q2R_min_l (p q : Q) : Q2R (Qmin p q) <= Q2R p.
Proof. apply Qle_Rle, Q.le_min_l. Qed.

Lemma Q2R_min_r (p q : Q) : Q2R (Qmin p q) <= Q2R q.
Proof. apply Qle_Rle, Q.le_min_r. Qed.

Lemma Q2R_max_l (p q : Q) : Q2R p <= Q2R (Qmax p q).
Proof. apply Qle_Rle, Q.le_max_l. Qed.

Lemma Q2R_max_r (p q : Q) : Q2R q <= Q2R (Qmax p q).
Proof. apply Qle_Rle, Q.le_max_r. Qed.

Lemma neg_sound (i : itv) (x : R) : in_itv i x -> in_itv (itv_neg i) (- x).
Proof.
  destruct i as [[l|] [h|]]; unfold in_itv; simpl; rewrite ?Q2R_opp; intros [H1 H2]; split; lra.
Qed.

Lemma add_sound (i1 i2 : itv) (x y : R) : in_itv i1 x -> in_itv i2 y -> in_itv (itv_add i1 i2) (x + y).
Proof.
  destruct i1 as [[l1|] [h1|]], i2 as [[l2|] [h2|]]; unfold in_itv; simpl; rewrite ?Q2R_plus;
    intros [H1 H2] [H3 H4]; split; lra.
Qed.

(** The product lies between two of the four corner products. *)
Lemma mul_corners (a b c d x y : R) : a <= x <= b -> c <= y <= d ->
  (a * c <= x * y \/ a * d <= x * y \/ b * c <= x * y \/ b * d <= x * y) /\
  (x * y <= a * c \/ x * y <= a * d \/ x * y <= b * c \/ x * y <= b * d).
Proof.
  intros Hx Hy. split.
  - destruct (Rle_dec 0 x), (Rle_dec 0 c), (Rle_dec 0 d).
    all: first [left; nra | right; left; nra | right; right; left; nra | right; right; right; nra].
  - destruct (Rle_dec 0 x), (Rle_dec 0 c), (Rle_dec 0 d).
    all: first [left; nra | right; left; nra | right; right; left; nra | right; right; right; nra].
Qed.

Lemma mul_sound (i1 i2 : itv) (x y : R) : in_itv i1 x -> in_itv i2 y -> in_itv (itv_mul i1 i2) (x * y).
Proof.
  destruct i1 as [[a|] [b|]], i2 as [[c|] [d|]]; intros H1 H2; try (split; exact I).
  destruct H1 as [Ha Hb], H2 as [Hc Hd]. simpl in *.
  destruct (mul_corners _ _ _ _ _ _ (conj Ha Hb) (conj Hc Hd)) as [L U].
  unfold in_itv; simpl. rewrite <- !Q2R_mult in L, U.
  pose proof (Q2R_min_l (Qmin (a * c) (a * d)) (Qmin (b * c) (b * d))).
  pose proof (Q2R_min_r (Qmin (a * c) (a * d)) (Qmin (b * c) (b * d))).
  pose proof (Q2R_min_l (a * c) (a * d)). pose proof (Q2R_min_r (a * c) (a * d)).
  pose proof (Q2R_min_l (b * c) (b * d)). pose proof (Q2R_min_r (b * c) (b * d)).
  pose proof (Q2R_max_l (Qmax (a * c) (a * d)) (Qmax (b * c) (b * d))).
  pose proof (Q2R_max_r (Qmax (a * c) (a * d)) (Qmax (b * c) (b * d))).
  pose proof (Q2R_max_l (a * c) (a * d)). pose proof (Q2R_max_r (a * c) (a * d)).
  pose proof (Q2R_max_l (b * c) (b * d)). pose proof (Q2R_max_r (b * c) (b * d)).
  split; lra.
Qed.

Lemma exp_sound (i : itv) (x : R) : in_itv i x -> in_itv (itv_exp i) (exp x).
Proof.
  destruct i as [[l|] h]; unfold in_itv; simpl; intros [H _]; split; try exact I.
  rewrite Q2R_plus. replace (Q2R 1) with 1 by (unfold Q2R; simpl; lra).
  pose proof (exp_ineq1_le x). lra.
Qed.

Lemma softplus_ge (x : R) : x <= R_softplus x /\ 0 <= R_softplus x.
Proof.
  unfold R_softplus. pose proof (exp_pos x). split.
  - rewrite <- (ln_exp x) at 1. apply Rlt_le, ln_increasing; lra.
  - rewrite <- ln_1. apply Rlt_le, ln_increasing; lra.
Qed.

Lemma Q2R_0 : Q2R 0 = 0.
Proof. unfold Q2R. simpl. lra. Qed.

Lemma Q2R_1 : Q2R 1 = 1.
Proof. unfold Q2R. simpl. lra. Qed.

Lemma softplus_sound (i : itv) (x : R) : in_itv i x -> in_itv (itv_softplus i) (R_softplus x).
Proof.
  pose proof (softplus_ge x) as [S1 S2].
  destruct i as [[l|] h]; unfold in_itv; simpl; intros [H _]; split; try exact I.
  - destruct (Q.max_spec l 0) as [[_ E]|[_ E]]; apply Qeq_eqR in E; rewrite E, ?Q2R_0; lra.
  - rewrite Q2R_0. exact S2.
Qed.

Lemma sqrt_ge_min (x : R) : 0 <= x -> Rmin x 1 <= sqrt x.
Proof.
  intros Hx. destruct (Rle_dec 1 x) as [H1|H1].
  - rewrite Rmin_right by exact H1. rewrite <- sqrt_1. apply sqrt_le_1_alt, H1.
  - rewrite Rmin_left by lra.
    pose proof (sqrt_pos x). pose proof (sqrt_sqrt x Hx).
    assert (sqrt x <= 1) by (rewrite <- sqrt_1; apply sqrt_le_1_alt; lra). nra.
Qed.

Lemma sqrt_sound (i : itv) (x : R) : in_itv i x -> in_itv (itv_sqrt i) (sqrt x).
Proof.
  pose proof (sqrt_pos x) as P.
  destruct i as [[l|] h]; unfold in_itv; simpl; intros [H _]; split; try exact I.
  - destruct (Qle_bool 0 l) eqn:E; [|rewrite Q2R_0; exact P].
    apply Qle_bool_iff, Qle_Rle in E. rewrite Q2R_0 in E.
    pose proof (sqrt_ge_min x ltac:(lra)) as S.
    destruct (Q.min_spec l 1) as [[L M]|[L M]]; apply Qeq_eqR in M; rewrite M, ?Q2R_1;
      [apply Qlt_Rlt in L|apply Qle_Rle in L]; rewrite Q2R_1 in L;
      unfold Rmin in S; destruct (Rle_dec x 1); lra.
  - rewrite Q2R_0. exact P.
Qed.

Lemma sigmoid_in_unit (x : R) : in_itv itv_sigmoid (R_sigmoid x).
Proof.
  unfold in_itv, R_sigmoid; simpl. rewrite Q2R_0, Q2R_1. pose proof (exp_pos (- x)).
  split.
  - apply Rlt_le, Rinv_0_lt_compat. lra.
  - rewrite <- Rinv_1. apply Rinv_le_contravar; lra.
Qed.

(** * Soundness on tensors *)

Lemma Forall_map_R (f : R -> R) (P Q : R -> Prop) (xs : list R) :
  Forall P xs -> (forall x, P x -> Q (f x)) -> Forall Q (map f xs).
Proof. intros H Hf. induction H; simpl; constructor; auto. Qed.

(* The pointwise lemmas of the sign analysis, shared. *)
From Certigrad Require UnbiasedExamples.
Import UnbiasedExamples (Forall_map2_R, Forall_map3_R).

Lemma Forall_top (v : list R) : Forall (in_itv top) v.
Proof. apply top_holds. Qed.

(** When every parent lies in its interval, the output lies in
    [dop_itv o is]. *)
Theorem dop_itv_sound (o : dop R) (shs : list shape) (xs : list (list R)) (is : list itv) :
  (forall i, itv_holds (nth i is top) (nth i xs [])) ->
  itv_holds (dop_itv o is) (dop_forward R_ops o shs xs).
Proof.
  intros H. unfold itv_holds in *.
  destruct o; simpl; try apply Forall_top.
  - eapply Forall_map_R; [exact (H 0%nat)|]. apply neg_sound.
  - eapply Forall_map_R; [exact (H 0%nat)|]. apply exp_sound.
  - eapply Forall_map_R; [exact (H 0%nat)|]. apply sqrt_sound.
  - eapply Forall_map_R; [exact (H 0%nat)|]. intros x _. apply sigmoid_in_unit.
  - eapply Forall_map_R; [exact (H 0%nat)|]. apply softplus_sound.
  - apply (Forall_map2_R _ _ _ _ _ _ (H 0%nat) (H 1%nat)). apply add_sound.
  - apply (Forall_map2_R _ _ _ _ _ _ (H 0%nat) (H 1%nat)). intros x y Hx Hy.
    replace (x - y) with (x + - y) by ring. apply add_sound; [exact Hx|apply neg_sound, Hy].
  - apply (Forall_map2_R _ _ _ _ _ _ (H 0%nat) (H 1%nat)). apply mul_sound.
  - apply (Forall_map3_R _ _ _ _ _ _ _ _ (H 0%nat) (H 1%nat) (H 2%nat)).
    intros x y z Hx Hy Hz. apply add_sound; [apply mul_sound|]; assumption.
Qed.

(** * Decimal numbers, exactly

    [q_of_decimal s] reads [[+-]? digits [. digits] [(e|E) [+-]? digits]]
    (at least one digit before the exponent) as the rational number it
    denotes, or [None].  The oracle reads the end points of the boxes with
    it, so that no rounding comes between the text and the checker. *)

Local Open Scope char_scope.

Definition digit_val (c : Ascii.ascii) : option N :=
  let n := Ascii.nat_of_ascii c in
  if (Nat.leb 48 n && Nat.leb n 57)%bool then Some (N.of_nat (n - 48)) else None.

Fixpoint read_digits (s : String.string) (acc : N) (k : nat) : N * nat * String.string :=
  match s with
  | String.String c s' =>
      match digit_val c with
      | Some d => read_digits s' (acc * 10 + d)%N (S k)
      | None => (acc, k, s)
      end
  | String.EmptyString => (acc, k, s)
  end.

Definition read_sign (s : String.string) : bool * String.string :=
  match s with
  | String.String "-" r => (true, r)
  | String.String "+" r => (false, r)
  | _ => (false, s)
  end.

(** The exponent part: [(e|E) [+-]? digits], or nothing. *)
Definition read_exponent (s : String.string) : option Z :=
  match s with
  | String.EmptyString => Some 0%Z
  | String.String c r =>
      if (Ascii.eqb c "e" || Ascii.eqb c "E")%bool then
        let '(neg, r1) := read_sign r in
        match read_digits r1 0 0 with
        | (e, S _, String.EmptyString) => Some (if neg then Z.opp (Z.of_N e) else Z.of_N e)
        | _ => None
        end
      else None
  end.

Definition q_of_decimal (s : String.string) : option Q :=
  let '(neg, s1) := read_sign s in
  let '(ip, ki, s2) := read_digits s1 0 0 in
  let '(m, kf, s3) :=
    match s2 with
    | String.String "." r => read_digits r ip 0
    | _ => (ip, 0%nat, s2)
    end in
  match read_exponent s3, (ki + kf)%nat with
  | Some e, S _ =>
      let z := Z.of_N m in
      Some (Qmake (if neg then Z.opp z else z) 1 * Qpower (10 # 1) (e - Z.of_nat kf))%Q
  | _, _ => None
  end.

Example q_of_decimal_ex : q_of_decimal "-1.25e-1" = Some (Qmake (-125) 1 * Qpower (10 # 1) (-3))%Q.
Proof. reflexivity. Qed.

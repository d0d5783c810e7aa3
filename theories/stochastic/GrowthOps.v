(** * The growth table of the deterministic operators, and its soundness

    [dop_gtag o ts] is the tag (GrowthDefs.v) of the output of [o] when
    its parents have the tags [ts], or [None] when no bound is known.  A
    parent is "bounded" ([is_bnd]) when its tag is [GBnd] or [GPos].

    - [scale], [neg], [add], [sub], [mul], [sum], [gemm], [mul_add]:
      bounded when all parents are, else of exponential growth: sums and
      products of functions of growth [exp (c |xs|_1)] grow like
      [exp ((c1 + c2) |xs|_1)].
    - [exp] of a bounded value is bounded and bounded below by a positive
      constant ([GPos]); [exp] of a growing value is refused.
    - [log] of a [GPos] value is bounded; [log] of a [GUnit] value (a
      sigmoid) grows at most exponentially ([ln sigmoid u = - softplus (- u)]).
    - [sqrt] of a [GPos] value is [GPos]; [div] needs a [GPos] divisor.
    - [sigmoid] of anything is [GUnit]; [softplus] of a bounded value is
      [GPos] ([softplus >= softplus (- sup |u|) > 0]), of a growing one
      growing.
    - [mvn_kl] and [mvn_empirical_kl] need a [GPos] sigma (for [ln sigma] and
      [/ sigma]); [bernoulli_neglogpdf] a [GUnit] probability.

    [dop_gtag_sound]: when every parent's tag holds of its value (a tensor
    depending on the moving entry [t] and on the draws), the table's tag
    holds of the output.  Together with [segment_good] (draws grow like
    [exp |xs|_1]), [input_bnd] (inputs are bounded), [tag_good] and
    GrowthScalar.v's [sg_add] and [sg_const] it instantiates the section
    hypotheses of GrowthCheck.v.

    Route: per entry, GrowthScalar.v's closure lemmas.  Generic lemmas
    cover the elementwise maps of one or two parents ([unary_tag],
    [binary_tag]) and sums of entries ([vsum_sg]); the entry of each
    compound operator is its own lemma ([mvn_kl_entry], ...); then one
    lemma per operator ([<op>_gtag_sound]) reads the shapes off
    [op_out_shape] (OpsCorrect.v) and applies them. *)

From Coq Require Import Reals List Arith Lia Lra Bool.
From Certigrad Require Import Scalar Tensor TensorFacts Ops OpsCorrect.
From Certigrad Require Import GrowthDefs GrowthScalar StdFlatten.
Import ListNotations.

Local Open Scope R_scope.

(** * The table *)

(** The tags that promise a bound without growth. *)
Definition is_bnd (tg : gtag) : bool :=
  match tg with GBnd | GPos => true | GGood | GUnit => false end.

Definition bnd_or_good (bd : bool) : gtag := if bd then GBnd else GGood.

Definition dop_gtag {T : Type} (o : @dop T) (ts : list gtag) : option gtag :=
  match o, ts with
  | Scale _, [t] | Neg, [t] => Some (bnd_or_good (is_bnd t))
  | Exp, [t] => if is_bnd t then Some GPos else None
  | Log, [GPos] => Some GBnd
  | Log, [GUnit] => Some GGood
  | Sqrt, [GPos] => Some GPos
  | Sigmoid, [_] => Some GUnit
  | Softplus, [t] => Some (if is_bnd t then GPos else GGood)
  | Add, [t1; t2] | Sub, [t1; t2] | Mul, [t1; t2] | Gemm, [t1; t2] =>
      Some (bnd_or_good (is_bnd t1 && is_bnd t2))
  | Div, [t1; GPos] => Some (bnd_or_good (is_bnd t1))
  | Sum, [t] => Some (bnd_or_good (is_bnd t))
  | MulAdd, [t1; t2; t3] => Some (bnd_or_good (is_bnd t1 && is_bnd t2 && is_bnd t3))
  | MvnKl, [t1; GPos] => Some (bnd_or_good (is_bnd t1))
  | MvnEmpiricalKl, [t1; GPos; t3] => Some (bnd_or_good (is_bnd t1 && is_bnd t3))
  | BernoulliNeglogpdf, [GUnit; _] => Some GGood
  | _, _ => None
  end.

(** * Entries of the tensor functions *)

Lemma nth_map_len (F : R -> R) (x : list R) (n i : nat) :
  length x = n -> (i < n)%nat -> nth i (map F x) 0 = F (nth i x 0).
Proof. intros Hx Hi. apply nth_map_in. lia. Qed.

Lemma nth_map2_len (F : R -> R -> R) (x y : list R) (n i : nat) :
  length x = n -> length y = n -> (i < n)%nat -> nth i (map2 F x y) 0 = F (nth i x 0) (nth i y 0).
Proof. intros Hx Hy Hi. apply nth_map2; lia. Qed.

Lemma nth_map3_len (F : R -> R -> R -> R) (x y z : list R) (n i : nat) :
  length x = n -> length y = n -> length z = n -> (i < n)%nat ->
  nth i (map3 F x y z) 0 = F (nth i x 0) (nth i y 0) (nth i z 0).
Proof. intros Hx Hy Hz Hi. apply nth_map3; lia. Qed.

Section Ops.
Variables a b : R.

(** * Tags, exponents and entries *)

(** Entries past the length are [0], a constant. *)
Lemma tsg_entries (c : R) (n : nat) (V : tfun) :
  0 <= c -> (forall t xs, length (V t xs) = n) ->
  (forall i, (i < n)%nat -> sg a b c (fun t xs => nth i (V t xs) 0)) -> tsg a b c V.
Proof.
  intros Hc Hl H i. destruct (Nat.lt_ge_cases i n) as [Hi|Hi]; [apply H, Hi|].
  apply (sg_ext a b c (fun _ _ => 0)); [|apply sg_const_le, Hc].
  intros t xs. symmetry. apply nth_overflow. rewrite Hl. exact Hi.
Qed.

(** What every tag gives: an exponent, [0] for the bounded tags. *)
Lemma tag_exp (tg : gtag) (n : nat) (V : tfun) :
  tag_holds a b tg n V ->
  (forall t xs, length (V t xs) = n) /\
  exists c, 0 <= c /\ (is_bnd tg = true -> c = 0) /\ tsg a b c V.
Proof.
  intros [Hl H]. split; [exact Hl|].
  destruct tg; simpl in H.
  - destruct H as [c [Hc Hs]]. exists c. repeat split; auto. discriminate.
  - exists 0. repeat split; auto. lra.
  - exists 0. repeat split; [lra|apply H].
  - destruct H as [[c [Hc Hs]] _]. exists c. repeat split; auto. discriminate.
Qed.

Lemma tag_of_exp (bd : bool) (n : nat) (V : tfun) (c : R) :
  (forall t xs, length (V t xs) = n) -> 0 <= c -> (bd = true -> c = 0) -> tsg a b c V ->
  tag_holds a b (bnd_or_good bd) n V.
Proof.
  intros Hl Hc Hbd Hs. split; [exact Hl|].
  destruct bd; simpl; [rewrite <- (Hbd eq_refl); exact Hs|exists c; auto].
Qed.

(** One positive lower bound for finitely many entries. *)
Lemma uniform_lower (n : nat) (f : nat -> R -> list R -> R) :
  (forall i, (i < n)%nat -> exists L, 0 < L /\ forall t xs, a < t < b -> L <= f i t xs) ->
  exists L, 0 < L /\ forall t xs i, a < t < b -> (i < n)%nat -> L <= f i t xs.
Proof.
  induction n as [|n IH]; intros H; [exists 1; split; [lra|intros; lia]|].
  destruct IH as [L1 [HL1 H1]]; [intros i Hi; apply H; lia|].
  destruct (H n) as [L2 [HL2 H2]]; [lia|].
  exists (Rmin L1 L2). split; [apply Rmin_pos; assumption|]. intros t xs i Ht Hi.
  destruct (Nat.eq_dec i n) as [->|Hne].
  - eapply Rle_trans; [apply Rmin_r|apply H2, Ht].
  - eapply Rle_trans; [apply Rmin_l|apply H1; [exact Ht|lia]].
Qed.

Lemma map_tsg (F : R -> R) (c : R) (n : nat) (X : tfun) :
  0 <= c -> (forall t xs, length (X t xs) = n) ->
  (forall i, (i < n)%nat -> sg a b c (fun t xs => F (nth i (X t xs) 0))) ->
  tsg a b c (fun t xs => map F (X t xs)).
Proof.
  intros Hc Hl H. apply (tsg_entries c n); [exact Hc|intros; rewrite map_length; apply Hl|].
  intros i Hi. apply (sg_ext a b c (fun t xs => F (nth i (X t xs) 0))); [|apply H, Hi].
  intros t xs. symmetry. apply (nth_map_len F _ n); [apply Hl|exact Hi].
Qed.

Lemma map2_tsg (F : R -> R -> R) (c : R) (n : nat) (X Y : tfun) :
  0 <= c -> (forall t xs, length (X t xs) = n) -> (forall t xs, length (Y t xs) = n) ->
  (forall i, (i < n)%nat -> sg a b c (fun t xs => F (nth i (X t xs) 0) (nth i (Y t xs) 0))) ->
  tsg a b c (fun t xs => map2 F (X t xs) (Y t xs)).
Proof.
  intros Hc HX HY H. apply (tsg_entries c n); [exact Hc| |].
  - intros t xs. rewrite map2_length, HX, HY. apply Nat.min_id.
  - intros i Hi. apply (sg_ext a b c (fun t xs => F (nth i (X t xs) 0) (nth i (Y t xs) 0)));
      [|apply H, Hi].
    intros t xs. symmetry. apply (nth_map2_len F _ _ n); auto.
Qed.

Lemma map3_tsg (F : R -> R -> R -> R) (c : R) (n : nat) (X Y Z : tfun) :
  0 <= c -> (forall t xs, length (X t xs) = n) -> (forall t xs, length (Y t xs) = n) ->
  (forall t xs, length (Z t xs) = n) ->
  (forall i, (i < n)%nat ->
     sg a b c (fun t xs => F (nth i (X t xs) 0) (nth i (Y t xs) 0) (nth i (Z t xs) 0))) ->
  tsg a b c (fun t xs => map3 F (X t xs) (Y t xs) (Z t xs)).
Proof.
  intros Hc HX HY HZ H. apply (tsg_entries c n); [exact Hc| |].
  - intros t xs. rewrite map3_length, HX, HY, HZ, !Nat.min_id. reflexivity.
  - intros i Hi.
    apply (sg_ext a b c (fun t xs => F (nth i (X t xs) 0) (nth i (Y t xs) 0) (nth i (Z t xs) 0)));
      [|apply H, Hi].
    intros t xs. symmetry. apply (nth_map3_len F _ _ _ n); auto.
Qed.

Lemma vsum_sg (c : R) (n : nat) (V : tfun) :
  0 <= c -> (forall t xs, length (V t xs) = n) -> tsg a b c V ->
  sg a b c (fun t xs => vsum R_ops (V t xs)).
Proof.
  intros Hc Hl Hs.
  apply (sg_ext a b c (fun t xs => isum n (fun i => nth i (V t xs) 0))).
  - intros t xs. rewrite vsum_isum, Hl. reflexivity.
  - apply sg_isum; [exact Hc|]. intros i _. apply Hs.
Qed.

(** A scalar output. *)
Lemma scalar_tsg (c : R) (s : R -> list R -> R) :
  0 <= c -> sg a b c s -> tsg a b c (fun t xs => [s t xs]).
Proof.
  intros Hc Hs. apply (tsg_entries c 1); [exact Hc|reflexivity|].
  intros [|i] Hi; [exact Hs|lia].
Qed.

(** * Generic operators *)

Lemma unary_tag (F : R -> R) (tg : gtag) (n : nat) (X : tfun) :
  (forall c u, 0 <= c -> sg a b c u -> sg a b c (fun t xs => F (u t xs))) ->
  tag_holds a b tg n X ->
  tag_holds a b (bnd_or_good (is_bnd tg)) n (fun t xs => map F (X t xs)).
Proof.
  intros HF HX. destruct (tag_exp _ _ _ HX) as [Hl [c [Hc [Hb Hs]]]].
  apply (tag_of_exp _ _ _ c); [|exact Hc|exact Hb|].
  - intros t xs. rewrite map_length. apply Hl.
  - apply (map_tsg F c n); [exact Hc|exact Hl|]. intros i _. apply HF; [exact Hc|apply Hs].
Qed.

Lemma binary_tag (F : R -> R -> R) (t1 t2 : gtag) (n : nat) (X Y : tfun) :
  (forall c1 c2 u v, 0 <= c1 -> 0 <= c2 -> sg a b c1 u -> sg a b c2 v ->
     sg a b (c1 + c2) (fun t xs => F (u t xs) (v t xs))) ->
  tag_holds a b t1 n X -> tag_holds a b t2 n Y ->
  tag_holds a b (bnd_or_good (is_bnd t1 && is_bnd t2)) n (fun t xs => map2 F (X t xs) (Y t xs)).
Proof.
  intros HF HX HY.
  destruct (tag_exp _ _ _ HX) as [HlX [c1 [Hc1 [Hb1 Hs1]]]].
  destruct (tag_exp _ _ _ HY) as [HlY [c2 [Hc2 [Hb2 Hs2]]]].
  apply (tag_of_exp _ _ _ (c1 + c2)); [| lra | |].
  - intros t xs. rewrite map2_length, HlX, HlY. apply Nat.min_id.
  - intros Hb. apply andb_prop in Hb as [H1 H2]. rewrite (Hb1 H1), (Hb2 H2). lra.
  - apply (map2_tsg F _ n); [lra|assumption..|]. intros i _. apply HF; [assumption..|apply Hs1|apply Hs2].
Qed.

(** * Entries of the compound operators *)

Lemma mul_add_entry (c1 c2 c3 : R) (x y z : R -> list R -> R) :
  0 <= c1 -> 0 <= c2 -> 0 <= c3 -> sg a b c1 x -> sg a b c2 y -> sg a b c3 z ->
  sg a b (c1 + c2 + c3) (fun t xs => x t xs * y t xs + z t xs).
Proof.
  intros H1 H2 H3 Hx Hy Hz.
  apply (sg_plus_le a b _ (c1 + c2) c3); [apply sg_mult; assumption|exact Hz|lra|lra].
Qed.

(** [mvn_kl], per entry: [(mu^2 + sigma^2 - 1) / 2 - ln sigma]. *)
Lemma mvn_kl_entry (c1 L : R) (mu s : R -> list R -> R) :
  0 <= c1 -> 0 < L -> (forall t xs, a < t < b -> L <= s t xs) -> sg a b c1 mu -> sg a b 0 s ->
  sg a b (c1 + c1) (fun t xs => (mu t xs * mu t xs + s t xs * s t xs - 1) / (1 + 1) - ln (s t xs)).
Proof.
  intros Hc HL HLs Hmu Hs.
  apply (sg_minus_le a b _ (c1 + c1) 0); [lra| |apply (sg_ln a b L); assumption|lra|lra].
  apply (sg_ext a b _ (fun t xs => / (1 + 1) * (mu t xs * mu t xs + s t xs * s t xs - 1)));
    [intros t xs; unfold Rdiv; ring|].
  apply sg_scal; [lra|].
  apply (sg_minus_le a b _ (c1 + c1) 0); [lra| |apply sg_const|lra|lra].
  apply (sg_plus_le a b _ (c1 + c1) (0 + 0)); [apply sg_mult; assumption..|lra|lra].
Qed.

(** [mvn_empirical_kl], per entry, with [d = (z - mu) / sigma]:
    [(z^2 - d^2) / 2 - ln sigma]. *)
Lemma mvn_empirical_kl_entry (c1 c3 L : R) (mu s z : R -> list R -> R) :
  0 <= c1 -> 0 <= c3 -> 0 < L -> (forall t xs, a < t < b -> L <= s t xs) ->
  sg a b c1 mu -> sg a b 0 s -> sg a b c3 z ->
  sg a b ((c1 + c3) + (c1 + c3))
    (fun t xs => (z t xs * z t xs - (z t xs - mu t xs) / s t xs * ((z t xs - mu t xs) / s t xs))
                 / (1 + 1) - ln (s t xs)).
Proof.
  intros Hc1 Hc3 HL HLs Hmu Hs Hz.
  assert (Hd : sg a b (c1 + c3) (fun t xs => (z t xs - mu t xs) / s t xs)).
  { apply (sg_mult_le a b _ (c1 + c3) 0 (fun t xs => z t xs - mu t xs) (fun t xs => / s t xs));
      [|apply (sg_inv a b L); assumption|lra].
    apply (sg_minus_le a b _ c3 c1); auto; lra. }
  apply (sg_minus_le a b _ ((c1 + c3) + (c1 + c3)) 0); [lra| |apply (sg_ln a b L); assumption|lra|lra].
  apply (sg_ext a b _ (fun t xs => / (1 + 1) * (z t xs * z t xs
                         - (z t xs - mu t xs) / s t xs * ((z t xs - mu t xs) / s t xs))));
    [intros t xs; unfold Rdiv; ring|].
  apply sg_scal; [lra|].
  apply (sg_minus_le a b _ (c3 + c3) ((c1 + c3) + (c1 + c3))); [lra|apply sg_mult; assumption| |lra|lra].
  apply (sg_mult a b _ _ (fun t xs => (z t xs - mu t xs) / s t xs)
                         (fun t xs => (z t xs - mu t xs) / s t xs)); exact Hd.
Qed.

(** [bernoulli_neglogpdf], per entry: [x ln p + (1 - x) ln (1 - p)]. *)
Lemma bernoulli_entry (c2 cl cm : R) (p x : R -> list R -> R) :
  0 <= c2 -> 0 <= cl -> 0 <= cm -> sg a b c2 x ->
  sg a b cl (fun t xs => ln (p t xs)) -> sg a b cm (fun t xs => ln (1 - p t xs)) ->
  sg a b (c2 + cl + cm) (fun t xs => x t xs * ln (p t xs) + (1 - x t xs) * ln (1 - p t xs)).
Proof.
  intros H2 Hl Hm Hx Hlp Hlq.
  apply (sg_plus_le a b _ (c2 + cl) (c2 + cm)); [apply sg_mult; assumption| |lra|lra].
  apply (sg_mult a b c2 cm (fun t xs => 1 - x t xs) (fun t xs => ln (1 - p t xs))); [|exact Hlq].
  apply (sg_minus_le a b _ 0 c2); [lra|apply sg_const|exact Hx|lra|lra].
Qed.

(** * The operators, on explicit parent values *)

Lemma exp_tag (tg : gtag) (n : nat) (X : tfun) :
  is_bnd tg = true -> tag_holds a b tg n X ->
  tag_holds a b GPos n (fun t xs => map exp (X t xs)).
Proof.
  intros Hb HX. destruct (tag_exp _ _ _ HX) as [Hl [c [Hc [Hb0 Hs]]]].
  rewrite (Hb0 Hb) in Hs. split; [intros; rewrite map_length; apply Hl|]. split.
  - apply (map_tsg exp 0 n); [lra|exact Hl|]. intros i _. apply sg_exp, Hs.
  - apply (uniform_lower n (fun i t xs => nth i (map exp (X t xs)) 0)). intros i Hi.
    destruct (sg0_bounded a b _ (Hs i)) as [C HC].
    exists (exp (- C)). split; [apply exp_pos|]. intros t xs Ht.
    rewrite (nth_map_len exp _ n) by (apply Hl || exact Hi).
    apply exp_mono_le. exact (proj1 (abs_le_bounds _ _ (HC t xs Ht))).
Qed.

Lemma log_pos_tag (n : nat) (X : tfun) :
  tag_holds a b GPos n X -> tag_holds a b GBnd n (fun t xs => map ln (X t xs)).
Proof.
  intros [Hl [Hs [L [HL HLb]]]]. split; [intros; rewrite map_length; apply Hl|].
  apply (map_tsg ln 0 n); [lra|exact Hl|]. intros i Hi.
  apply (sg_ln a b L); [exact HL| |apply Hs]. intros t xs Ht. apply HLb; assumption.
Qed.

Lemma log_unit_tag (n : nat) (X : tfun) :
  tag_holds a b GUnit n X -> tag_holds a b GGood n (fun t xs => map ln (X t xs)).
Proof.
  intros [Hl [_ [_ [Hln _]]]]. split; [intros; rewrite map_length; apply Hl|exact Hln].
Qed.

Lemma sqrt_tag (n : nat) (X : tfun) :
  tag_holds a b GPos n X -> tag_holds a b GPos n (fun t xs => map sqrt (X t xs)).
Proof.
  intros [Hl [Hs [L [HL HLb]]]]. split; [intros; rewrite map_length; apply Hl|]. split.
  - apply (map_tsg sqrt 0 n); [lra|exact Hl|]. intros i Hi.
    apply (sg_sqrt a b L); [exact HL| |apply Hs]. intros t xs Ht. apply HLb; assumption.
  - exists (sqrt L). split; [apply sqrt_lt_R0, HL|]. intros t xs i Ht Hi.
    rewrite (nth_map_len sqrt _ n) by (apply Hl || exact Hi).
    apply sqrt_le_1_alt, HLb; assumption.
Qed.

(** [ln (sigmoid u) = - softplus (- u)], [ln (1 - sigmoid u) = - softplus u]. *)
Lemma sigmoid_tag (tg : gtag) (n : nat) (X : tfun) :
  tag_holds a b tg n X -> tag_holds a b GUnit n (fun t xs => map R_sigmoid (X t xs)).
Proof.
  intros HX. destruct (tag_exp _ _ _ HX) as [Hl [c [Hc [_ Hs]]]].
  assert (Hl' : forall t xs, length (map R_sigmoid (X t xs)) = n)
    by (intros; rewrite map_length; apply Hl).
  split; [exact Hl'|]. split; [|split; [|split]].
  - exists c. split; [exact Hc|]. apply (map_tsg R_sigmoid c n); auto.
    intros i _. apply sg_sigmoid; [exact Hc|apply Hs].
  - intros t xs i Ht Hi. rewrite (nth_map_len R_sigmoid _ n) by (apply Hl || exact Hi).
    apply sigmoid_in_01.
  - exists c. split; [exact Hc|]. apply (map_tsg ln c n); [exact Hc|exact Hl'|]. intros i Hi.
    apply (sg_ext a b c (fun t xs => - R_softplus (- nth i (X t xs) 0))).
    + intros t xs. rewrite (nth_map_len R_sigmoid _ n) by (apply Hl || exact Hi).
      symmetry. apply ln_sigmoid_softplus.
    + apply sg_opp; [exact Hc|]. apply sg_softplus; [exact Hc|]. apply sg_opp; [exact Hc|apply Hs].
  - exists c. split; [exact Hc|]. apply (map_tsg (fun p => ln (1 - p)) c n); [exact Hc|exact Hl'|].
    intros i Hi.
    apply (sg_ext a b c (fun t xs => - R_softplus (nth i (X t xs) 0))).
    + intros t xs. rewrite (nth_map_len R_sigmoid _ n) by (apply Hl || exact Hi).
      symmetry. apply ln_one_minus_sigmoid_softplus.
    + apply sg_opp; [exact Hc|]. apply sg_softplus; [exact Hc|apply Hs].
Qed.

Lemma softplus_tag (tg : gtag) (n : nat) (X : tfun) :
  tag_holds a b tg n X ->
  tag_holds a b (if is_bnd tg then GPos else GGood) n (fun t xs => map R_softplus (X t xs)).
Proof.
  intros HX. destruct (tag_exp _ _ _ HX) as [Hl [c [Hc [Hb0 Hs]]]].
  assert (Hsp : tsg a b c (fun t xs => map R_softplus (X t xs))).
  { apply (map_tsg R_softplus c n); auto. intros i _. apply sg_softplus; [exact Hc|apply Hs]. }
  split; [intros; rewrite map_length; apply Hl|].
  destruct (is_bnd tg) eqn:Hb; [|exists c; auto].
  rewrite (Hb0 eq_refl) in Hs, Hsp. split; [exact Hsp|].
  apply (uniform_lower n (fun i t xs => nth i (map R_softplus (X t xs)) 0)). intros i Hi.
  destruct (sg0_bounded a b _ (Hs i)) as [C HC].
  exists (R_softplus (- C)). split; [apply softplus_pos|]. intros t xs Ht.
  rewrite (nth_map_len R_softplus _ n) by (apply Hl || exact Hi).
  apply softplus_le_mono. exact (proj1 (abs_le_bounds _ _ (HC t xs Ht))).
Qed.

Lemma div_tag (tg : gtag) (n : nat) (X Y : tfun) :
  tag_holds a b tg n X -> tag_holds a b GPos n Y ->
  tag_holds a b (bnd_or_good (is_bnd tg)) n (fun t xs => map2 Rdiv (X t xs) (Y t xs)).
Proof.
  intros HX [HlY [HsY [L [HL HLb]]]].
  destruct (tag_exp _ _ _ HX) as [HlX [c [Hc [Hb Hs]]]].
  apply (tag_of_exp _ _ _ (c + 0)); [| lra | intros H; rewrite (Hb H); lra |].
  - intros t xs. rewrite map2_length, HlX, HlY. apply Nat.min_id.
  - apply (map2_tsg Rdiv _ n); [lra|assumption..|]. intros i Hi.
    apply (sg_mult a b c 0 (fun t xs => nth i (X t xs) 0) (fun t xs => / nth i (Y t xs) 0));
      [apply Hs|].
    apply (sg_inv a b L); [exact HL| |apply HsY]. intros t xs Ht. apply HLb; assumption.
Qed.

Lemma sum_tag (tg : gtag) (n : nat) (X : tfun) :
  tag_holds a b tg n X ->
  tag_holds a b (bnd_or_good (is_bnd tg)) 1 (fun t xs => [vsum R_ops (X t xs)]).
Proof.
  intros HX. destruct (tag_exp _ _ _ HX) as [Hl [c [Hc [Hb Hs]]]].
  apply (tag_of_exp _ _ _ c); [reflexivity|exact Hc|exact Hb|].
  apply scalar_tsg; [exact Hc|]. apply (vsum_sg c n); assumption.
Qed.

Lemma gemm_tag (t1 t2 : gtag) (m k n : nat) (X Y : tfun) :
  tag_holds a b t1 (m * k) X -> tag_holds a b t2 (k * n) Y ->
  tag_holds a b (bnd_or_good (is_bnd t1 && is_bnd t2)) (m * n)
    (fun t xs => gemm R_ops m k n (X t xs) (Y t xs)).
Proof.
  intros HX HY.
  destruct (tag_exp _ _ _ HX) as [HlX [c1 [Hc1 [Hb1 Hs1]]]].
  destruct (tag_exp _ _ _ HY) as [HlY [c2 [Hc2 [Hb2 Hs2]]]].
  assert (Hl : forall t xs, length (gemm R_ops m k n (X t xs) (Y t xs)) = (m * n)%nat)
    by (intros; apply gemm_length; auto).
  apply (tag_of_exp _ _ _ (c1 + c2)); [exact Hl|lra| |].
  - intros Hb. apply andb_prop in Hb as [H1 H2]. rewrite (Hb1 H1), (Hb2 H2). lra.
  - apply (tsg_entries _ (m * n)); [lra|exact Hl|]. intros p Hp.
    destruct (flat_index m n p Hp) as (i & j & Hi & Hj & ->).
    apply (sg_ext a b _ (fun t xs => isum k (fun l => nth (i * k + l) (X t xs) 0 * nth (l * n + j) (Y t xs) 0))).
    + intros t xs. symmetry. apply nth_gemm; auto.
    + apply (sg_isum a b _ k (fun l t xs => nth (i * k + l) (X t xs) 0 * nth (l * n + j) (Y t xs) 0));
        [lra|]. intros l _.
      apply (sg_mult a b c1 c2 (fun t xs => nth (i * k + l) (X t xs) 0)
                             (fun t xs => nth (l * n + j) (Y t xs) 0)); [apply Hs1|apply Hs2].
Qed.

Lemma mul_add_tag (t1 t2 t3 : gtag) (n : nat) (X Y Z : tfun) :
  tag_holds a b t1 n X -> tag_holds a b t2 n Y -> tag_holds a b t3 n Z ->
  tag_holds a b (bnd_or_good (is_bnd t1 && is_bnd t2 && is_bnd t3)) n
    (fun t xs => map3 (fun x y z => x * y + z) (X t xs) (Y t xs) (Z t xs)).
Proof.
  intros HX HY HZ.
  destruct (tag_exp _ _ _ HX) as [HlX [c1 [Hc1 [Hb1 Hs1]]]].
  destruct (tag_exp _ _ _ HY) as [HlY [c2 [Hc2 [Hb2 Hs2]]]].
  destruct (tag_exp _ _ _ HZ) as [HlZ [c3 [Hc3 [Hb3 Hs3]]]].
  apply (tag_of_exp _ _ _ (c1 + c2 + c3)); [|lra| |].
  - intros t xs. rewrite map3_length, HlX, HlY, HlZ, !Nat.min_id. reflexivity.
  - intros Hb. apply andb_prop in Hb as [H12 H3]. apply andb_prop in H12 as [H1 H2].
    rewrite (Hb1 H1), (Hb2 H2), (Hb3 H3). lra.
  - apply (map3_tsg _ _ n); [lra|assumption..|]. intros i _.
    apply (mul_add_entry c1 c2 c3 (fun t xs => nth i (X t xs) 0) (fun t xs => nth i (Y t xs) 0)
             (fun t xs => nth i (Z t xs) 0)); [assumption..|apply Hs1|apply Hs2|apply Hs3].
Qed.

Lemma mvn_kl_tag (tg : gtag) (n : nat) (X Y : tfun) :
  tag_holds a b tg n X -> tag_holds a b GPos n Y ->
  tag_holds a b (bnd_or_good (is_bnd tg)) 1
    (fun t xs => [vsum R_ops (map2 (fun mu s => (mu * mu + s * s - 1) / (1 + 1) - ln s)
                                   (X t xs) (Y t xs))]).
Proof.
  intros HX [HlY [HsY [L [HL HLb]]]].
  destruct (tag_exp _ _ _ HX) as [HlX [c [Hc [Hb Hs]]]].
  apply (tag_of_exp _ _ _ (c + c)); [reflexivity|lra|intros H; rewrite (Hb H); lra|].
  apply scalar_tsg; [lra|]. apply (vsum_sg _ n); [lra| |].
  - intros t xs. rewrite map2_length, HlX, HlY. apply Nat.min_id.
  - apply (map2_tsg _ _ n); [lra|assumption..|]. intros i Hi.
    apply (mvn_kl_entry c L (fun t xs => nth i (X t xs) 0) (fun t xs => nth i (Y t xs) 0));
      [exact Hc|exact HL| |apply Hs|apply HsY].
    intros t xs Ht. apply HLb; assumption.
Qed.

Lemma mvn_empirical_kl_tag (t1 t3 : gtag) (n : nat) (X Y Z : tfun) :
  tag_holds a b t1 n X -> tag_holds a b GPos n Y -> tag_holds a b t3 n Z ->
  tag_holds a b (bnd_or_good (is_bnd t1 && is_bnd t3)) 1
    (fun t xs => [vsum R_ops (map3 (fun mu s z => (z * z - (z - mu) / s * ((z - mu) / s)) / (1 + 1)
                                                  - ln s) (X t xs) (Y t xs) (Z t xs))]).
Proof.
  intros HX [HlY [HsY [L [HL HLb]]]] HZ.
  destruct (tag_exp _ _ _ HX) as [HlX [c1 [Hc1 [Hb1 Hs1]]]].
  destruct (tag_exp _ _ _ HZ) as [HlZ [c3 [Hc3 [Hb3 Hs3]]]].
  apply (tag_of_exp _ _ _ ((c1 + c3) + (c1 + c3))); [reflexivity|lra| |].
  - intros Hb. apply andb_prop in Hb as [H1 H3]. rewrite (Hb1 H1), (Hb3 H3). lra.
  - apply scalar_tsg; [lra|]. apply (vsum_sg _ n); [lra| |].
    + intros t xs. rewrite map3_length, HlX, HlY, HlZ, !Nat.min_id. reflexivity.
    + apply (map3_tsg _ _ n); [lra|assumption..|]. intros i Hi.
      apply (mvn_empirical_kl_entry c1 c3 L (fun t xs => nth i (X t xs) 0)
               (fun t xs => nth i (Y t xs) 0) (fun t xs => nth i (Z t xs) 0));
        [exact Hc1|exact Hc3|exact HL| |apply Hs1|apply HsY|apply Hs3].
      intros t xs Ht. apply HLb; assumption.
Qed.

Lemma bernoulli_tag (tg : gtag) (n : nat) (P X : tfun) :
  tag_holds a b GUnit n P -> tag_holds a b tg n X ->
  tag_holds a b GGood 1
    (fun t xs => [- vsum R_ops (map2 (fun p x => x * ln p + (1 - x) * ln (1 - p))
                                     (P t xs) (X t xs))]).
Proof.
  intros [HlP [_ [_ [[cl [Hcl Hsl]] [cm [Hcm Hsm]]]]]] HX.
  destruct (tag_exp _ _ _ HX) as [HlX [c2 [Hc2 [_ Hs2]]]].
  split; [reflexivity|]. exists (c2 + cl + cm). split; [lra|].
  apply scalar_tsg; [lra|]. apply sg_opp; [lra|]. apply (vsum_sg _ n); [lra| |].
  - intros t xs. rewrite map2_length, HlP, HlX. apply Nat.min_id.
  - apply (map2_tsg _ _ n); [lra|assumption..|]. intros i Hi.
    apply (bernoulli_entry c2 cl cm (fun t xs => nth i (P t xs) 0) (fun t xs => nth i (X t xs) 0));
      [exact Hc2|exact Hcl|exact Hcm|apply Hs2| |].
    + apply (sg_ext a b cl (fun t xs => nth i (map ln (P t xs)) 0)); [|apply Hsl].
      intros t xs. apply (nth_map_len ln _ n); [apply HlP|exact Hi].
    + apply (sg_ext a b cm (fun t xs => nth i (map (fun p => ln (1 - p)) (P t xs)) 0)); [|apply Hsm].
      intros t xs. apply (nth_map_len (fun p => ln (1 - p)) _ n); [apply HlP|exact Hi].
Qed.

(** * Soundness, operator by operator *)

(** The statement of [dop_gtag_sound] for one operator. *)
Definition gtag_sound (o : dop R) : Prop :=
  forall (ss : list shape) (decl sout : shape) (Vs : R -> list R -> list (list R))
         (ts : list gtag) (tg : gtag),
  op_out_shape (ODet o) decl ss = Some sout ->
  length ts = length ss ->
  (forall t xs, length (Vs t xs) = length ss) ->
  (forall i, (i < length ss)%nat ->
     tag_holds a b (nth i ts GGood) (shape_size (nth i ss [])) (fun t xs => nth i (Vs t xs) [])) ->
  dop_gtag o ts = Some tg ->
  tag_holds a b tg (shape_size sout) (fun t xs => dop_forward R_ops o ss (Vs t xs)).

(** Parent [i] of the node. *)
Local Notation par Vs i := (fun t xs => nth i (Vs t xs) []) (only parsing).

(** The parents' tags [t1], [t2], [t3] (as many as the operator has), the
    table's answer read off. *)
Ltac take_tags ts Hts Htg :=
  destruct ts as [|t1 [|t2 [|t3 [|? ?]]]]; simpl in Hts; try discriminate;
  cbn [dop_gtag] in Htg.

Ltac parent Hpar i := apply (Hpar i); simpl; lia.

Lemma scale_gtag_sound (k : R) : gtag_sound (Scale k).
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same1 _ _ _ (Scale k) eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. injection Htg as <-.
  apply (unary_tag (Rmult k) _ _ (par Vs 0%nat)); [|parent Hpar 0%nat].
  intros c u Hc Hu. apply sg_scal; assumption.
Qed.

Lemma neg_gtag_sound : gtag_sound Neg.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same1 _ _ _ Neg eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. injection Htg as <-.
  apply (unary_tag Ropp _ _ (par Vs 0%nat)); [|parent Hpar 0%nat].
  intros c u Hc Hu. apply sg_opp; assumption.
Qed.

Lemma exp_gtag_sound : gtag_sound Exp.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same1 _ _ _ Exp eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. destruct (is_bnd t1) eqn:Hb; [injection Htg as <-|discriminate].
  apply (exp_tag t1 _ (par Vs 0%nat) Hb). parent Hpar 0%nat.
Qed.

Lemma log_gtag_sound : gtag_sound Log.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same1 _ _ _ Log eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. destruct t1; try discriminate; injection Htg as <-.
  - apply (log_pos_tag _ (par Vs 0%nat)). parent Hpar 0%nat.
  - apply (log_unit_tag _ (par Vs 0%nat)). parent Hpar 0%nat.
Qed.

Lemma sqrt_gtag_sound : gtag_sound Sqrt.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same1 _ _ _ Sqrt eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. destruct t1; try discriminate; injection Htg as <-.
  apply (sqrt_tag _ (par Vs 0%nat)). parent Hpar 0%nat.
Qed.

Lemma sigmoid_gtag_sound : gtag_sound Sigmoid.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same1 _ _ _ Sigmoid eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. injection Htg as <-.
  apply (sigmoid_tag t1 _ (par Vs 0%nat)). parent Hpar 0%nat.
Qed.

Lemma softplus_gtag_sound : gtag_sound Softplus.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same1 _ _ _ Softplus eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. injection Htg as <-.
  apply (softplus_tag t1 _ (par Vs 0%nat)). parent Hpar 0%nat.
Qed.

Lemma add_gtag_sound : gtag_sound Add.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same2 _ _ _ Add eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. injection Htg as <-.
  apply (binary_tag Rplus _ _ _ (par Vs 0%nat) (par Vs 1%nat)); [|parent Hpar 0%nat|parent Hpar 1%nat].
  intros c1 c2 u v H1 H2 Hu Hv. apply (sg_plus_le a b _ c1 c2); auto; lra.
Qed.

Lemma sub_gtag_sound : gtag_sound Sub.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same2 _ _ _ Sub eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. injection Htg as <-.
  apply (binary_tag Rminus _ _ _ (par Vs 0%nat) (par Vs 1%nat)); [|parent Hpar 0%nat|parent Hpar 1%nat].
  intros c1 c2 u v H1 H2 Hu Hv. apply (sg_minus_le a b _ c1 c2); auto; lra.
Qed.

Lemma mul_gtag_sound : gtag_sound Mul.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same2 _ _ _ Mul eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. injection Htg as <-.
  apply (binary_tag Rmult _ _ _ (par Vs 0%nat) (par Vs 1%nat)); [|parent Hpar 0%nat|parent Hpar 1%nat].
  intros c1 c2 u v H1 H2 Hu Hv. apply sg_mult; assumption.
Qed.

Lemma div_gtag_sound : gtag_sound Div.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same2 _ _ _ Div eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. destruct t2; try discriminate; injection Htg as <-.
  apply (div_tag t1 _ (par Vs 0%nat) (par Vs 1%nat)); [parent Hpar 0%nat|parent Hpar 1%nat].
Qed.

Lemma sum_gtag_sound : gtag_sound Sum.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  destruct (out_shape_scalar1 _ _ _ Sum eq_refl eq_refl Hs) as [[s ->] ->].
  take_tags ts Hts Htg. injection Htg as <-.
  apply (sum_tag t1 (shape_size s) (par Vs 0%nat)). parent Hpar 0%nat.
Qed.

Lemma gemm_gtag_sound : gtag_sound Gemm.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  destruct (out_shape_gemm _ _ _ Hs) as (m & k & n & -> & ->).
  take_tags ts Hts Htg. injection Htg as <-.
  assert (Hsz : forall p q, shape_size [p; q] = (p * q)%nat)
    by (intros p q; unfold shape_size; simpl; rewrite Nat.mul_1_r; reflexivity).
  rewrite Hsz.
  pose proof (Hpar 0%nat ltac:(simpl; lia)) as H0. pose proof (Hpar 1%nat ltac:(simpl; lia)) as H1.
  simpl nth in H0, H1. rewrite Hsz in H0, H1.
  apply (gemm_tag _ _ m k n (par Vs 0%nat) (par Vs 1%nat) H0 H1).
Qed.

Lemma mul_add_gtag_sound : gtag_sound MulAdd.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  pose proof (out_shape_same3 _ _ _ MulAdd eq_refl eq_refl Hs) as ->.
  take_tags ts Hts Htg. injection Htg as <-.
  apply (mul_add_tag _ _ _ _ (par Vs 0%nat) (par Vs 1%nat) (par Vs 2%nat));
    [parent Hpar 0%nat|parent Hpar 1%nat|parent Hpar 2%nat].
Qed.

Lemma mvn_kl_gtag_sound : gtag_sound MvnKl.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  destruct (out_shape_samescalar2 _ _ _ MvnKl eq_refl eq_refl Hs) as [[s ->] ->].
  take_tags ts Hts Htg. destruct t2; try discriminate; injection Htg as <-.
  apply (mvn_kl_tag t1 (shape_size s) (par Vs 0%nat) (par Vs 1%nat)); [parent Hpar 0%nat|parent Hpar 1%nat].
Qed.

Lemma mvn_empirical_kl_gtag_sound : gtag_sound MvnEmpiricalKl.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  destruct (out_shape_samescalar3 _ _ _ MvnEmpiricalKl eq_refl eq_refl Hs) as [[s ->] ->].
  take_tags ts Hts Htg. destruct t2; try discriminate; injection Htg as <-.
  apply (mvn_empirical_kl_tag t1 t3 (shape_size s) (par Vs 0%nat) (par Vs 1%nat) (par Vs 2%nat));
    [parent Hpar 0%nat|parent Hpar 1%nat|parent Hpar 2%nat].
Qed.

Lemma bernoulli_neglogpdf_gtag_sound : gtag_sound BernoulliNeglogpdf.
Proof.
  intros ss decl sout Vs ts tg Hs Hts _ Hpar Htg.
  destruct (out_shape_samescalar2 _ _ _ BernoulliNeglogpdf eq_refl eq_refl Hs) as [[s ->] ->].
  take_tags ts Hts Htg. destruct t1; try discriminate; injection Htg as <-.
  apply (bernoulli_tag t2 (shape_size s) (par Vs 0%nat) (par Vs 1%nat)); [parent Hpar 0%nat|parent Hpar 1%nat].
Qed.

End Ops.

(** * The facts GrowthCheck.v's walk is written over *)

Theorem dop_gtag_sound (a b : R) (o : dop R) (ss : list shape) (decl sout : shape)
    (Vs : R -> list R -> list (list R)) (ts : list gtag) (tg : gtag) :
  op_out_shape (ODet o) decl ss = Some sout ->
  length ts = length ss ->
  (forall t xs, length (Vs t xs) = length ss) ->
  (forall i, (i < length ss)%nat ->
     tag_holds a b (nth i ts GGood) (shape_size (nth i ss [])) (fun t xs => nth i (Vs t xs) [])) ->
  dop_gtag o ts = Some tg ->
  tag_holds a b tg (shape_size sout) (fun t xs => dop_forward R_ops o ss (Vs t xs)).
Proof.
  revert ss decl sout Vs ts tg. change (gtag_sound a b o).
  destruct o.
  - apply scale_gtag_sound.
  - apply neg_gtag_sound.
  - apply exp_gtag_sound.
  - apply log_gtag_sound.
  - apply sqrt_gtag_sound.
  - apply sigmoid_gtag_sound.
  - apply softplus_gtag_sound.
  - apply add_gtag_sound.
  - apply sub_gtag_sound.
  - apply mul_gtag_sound.
  - apply div_gtag_sound.
  - apply sum_gtag_sound.
  - apply gemm_gtag_sound.
  - apply mul_add_gtag_sound.
  - apply mvn_kl_gtag_sound.
  - apply mvn_empirical_kl_gtag_sound.
  - apply bernoulli_neglogpdf_gtag_sound.
Qed.

(** Draws: entry [i] of a segment is a draw [x_(k+i)], or [0] past it. *)
Lemma segment_good (a b : R) (k n : nat) : tag_holds a b GGood n (fun _ xs => draw_segment k n xs).
Proof.
  split; [intros; apply draw_segment_length|]. exists 1. split; [lra|].
  apply (tsg_entries a b 1 n); [lra|intros; apply draw_segment_length|]. intros i Hi.
  apply (sg_ext a b 1 (fun _ xs => nth (k + i) xs 0)); [|apply sg_draw].
  intros t xs. symmetry. apply nth_draw_segment, Hi.
Qed.

Lemma input_bnd (a b : R) (n : nat) (V : tfun) :
  (forall t xs, length (V t xs) = n) ->
  (forall i, (exists c0, forall t xs, nth i (V t xs) 0 = c0) \/ (forall t xs, nth i (V t xs) 0 = t)) ->
  tag_holds a b GBnd n V.
Proof.
  intros Hl H. split; [exact Hl|]. intros i. destruct (H i) as [[c0 Hc0]|Ht].
  - apply (sg_ext a b 0 (fun _ _ => c0)); [|apply sg_const]. intros t xs. symmetry. apply Hc0.
  - apply (sg_ext a b 0 (fun t _ => t)); [|apply sg_param]. intros t xs. symmetry. apply Ht.
Qed.

Lemma tag_good (a b : R) (tg : gtag) (n : nat) (V : tfun) : tag_holds a b tg n V -> exists c, 0 <= c /\ tsg a b c V.
Proof. intros H. destruct (tag_exp a b _ _ _ H) as [_ [c [Hc [_ Hs]]]]. exists c. auto. Qed.

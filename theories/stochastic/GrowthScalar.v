(** * Smooth functions with exponential growth: closure lemmas

    The growth predicate [sg a b c u] of GrowthDefs.v says: on [a < t < b],
    [u t xs] is differentiable in [t], [u t] and its derivative are
    continuous in each draw separately, and both are bounded by
    [C exp (c |xs|_1)].  This file proves that the predicate is closed under
    the operations the operators of Ops.v are built from:

    - constants, the moving entry [t] itself and the draws [x_j] (exponents
      [0], [0] and [1]: [|x_j| <= |xs|_1 <= exp |xs|_1]);
    - weakening [c <= c'], sums (one exponent), products (exponent
      [c1 + c2]), finite sums [isum];
    - composition with a function [phi] differentiable everywhere with
      [|phi y| <= A |y| + B] and [|phi' y| <= D] (scaling, negation,
      [softplus], [sigmoid]): the exponent is kept;
    - composition of a bounded function (exponent [0]) with a function that
      is differentiable on [[L, oo)] and bounded with its derivative on
      every [[L, M]], when the function stays above [L]: [exp] (with
      [L = -sup |u|]), and [ln], [/ .] and [sqrt] of a function bounded
      below by [L > 0]; the exponent stays [0].

    Route: a bound [gbound c f] ([|f| <= C exp (c |xs|_1)] on the interval)
    is handled apart from the derivative and the continuity; the
    derivatives come from OpsJvp.v's rules ([D_plus], [D_mult], [D_comp]),
    separate continuity ([sep_cont]) from Stdlib's [continuity_pt] rules.
    The interval may be empty: every statement then holds vacuously, which
    is why bound constants are taken nonnegative explicitly
    ([gbound_nonneg]). *)

From Coq Require Import Reals List Arith Lia Lra FunctionalExtensionality.
From Coquelicot Require Import Coquelicot.
From Certigrad Require Import Scalar TensorFacts OpsJvp GrowthDefs.
Import ListNotations.

Local Open Scope R_scope.

(** * Scalar facts *)

Lemma exp_mono_le (x y : R) : x <= y -> exp x <= exp y.
Proof.
  intros H. destruct (Rle_lt_or_eq_dec _ _ H) as [Hlt| ->]; [|lra].
  apply Rlt_le, exp_increasing, Hlt.
Qed.

Lemma exp_ge_1 (x : R) : 0 <= x -> 1 <= exp x.
Proof. intros H. generalize (exp_ineq1_le x). lra. Qed.

(** A value between [lo] and [hi] is at most [|lo| + |hi|] in size. *)
Lemma abs_between (lo hi x : R) : lo <= x <= hi -> Rabs x <= Rabs lo + Rabs hi.
Proof.
  intros Hx. apply Rabs_le.
  generalize (Rle_abs hi) (Rle_abs (- lo)) (Rabs_pos lo) (Rabs_pos hi). rewrite Rabs_Ropp. lra.
Qed.

Lemma abs_le_bounds (x C : R) : Rabs x <= C -> - C <= x <= C.
Proof. intros H. generalize (Rle_abs x) (Rle_abs (- x)). rewrite Rabs_Ropp. lra. Qed.

Lemma norm1_nonneg (xs : list R) : 0 <= norm1 xs.
Proof. induction xs as [|x xs IH]; simpl; [lra|]. generalize (Rabs_pos x). lra. Qed.

Lemma nth_le_norm1 (xs : list R) (j : nat) : Rabs (nth j xs 0) <= norm1 xs.
Proof.
  revert j. induction xs as [|x xs IH]; intros [|j]; simpl; try (rewrite Rabs_R0; lra).
  - generalize (norm1_nonneg xs). lra.
  - generalize (IH j) (Rabs_pos x). lra.
Qed.

(** [sigmoid] and [softplus] (Scalar.v): range, growth, and the logarithms
    of [sigmoid] and [1 - sigmoid]. *)
Lemma sigmoid_in_01 (y : R) : 0 < R_sigmoid y < 1.
Proof.
  unfold R_sigmoid. pose proof (exp_pos (- y)) as He. split.
  - apply Rinv_0_lt_compat. lra.
  - apply Rmult_lt_reg_l with (1 + exp (- y)); [lra|]. rewrite Rinv_r by lra. lra.
Qed.

Lemma sigmoid_opp (y : R) : R_sigmoid (- y) = 1 - R_sigmoid y.
Proof.
  unfold R_sigmoid. rewrite Ropp_involutive, exp_Ropp.
  pose proof (exp_pos y). field. split; lra.
Qed.

Lemma softplus_pos (y : R) : 0 < R_softplus y.
Proof. unfold R_softplus. rewrite <- ln_1. apply ln_increasing; [lra|]. generalize (exp_pos y). lra. Qed.

Lemma softplus_le_mono (x y : R) : x <= y -> R_softplus x <= R_softplus y.
Proof.
  intros H. unfold R_softplus. apply ln_le; [generalize (exp_pos x); lra|].
  generalize (exp_mono_le x y H). lra.
Qed.

Lemma softplus_le_abs (y : R) : R_softplus y <= Rabs y + 1.
Proof.
  unfold R_softplus. rewrite <- (ln_exp (Rabs y + 1)).
  apply ln_le; [generalize (exp_pos y); lra|].
  rewrite exp_plus.
  assert (H1 : 1 <= exp (Rabs y)) by (apply exp_ge_1, Rabs_pos).
  assert (H2 : exp y <= exp (Rabs y)) by (apply exp_mono_le, Rle_abs).
  assert (H3 : 2 <= exp 1) by (generalize (exp_ineq1_le 1); lra).
  nra.
Qed.

Lemma ln_sigmoid_softplus (y : R) : ln (R_sigmoid y) = - R_softplus (- y).
Proof.
  unfold R_sigmoid, R_softplus. rewrite ln_Rinv; [reflexivity|].
  generalize (exp_pos (- y)). lra.
Qed.

Lemma ln_one_minus_sigmoid_softplus (y : R) : ln (1 - R_sigmoid y) = - R_softplus y.
Proof. rewrite <- sigmoid_opp, ln_sigmoid_softplus, Ropp_involutive. reflexivity. Qed.

(** * Continuity *)

Lemma derive_continuity (f : R -> R) (x l : R) : is_derive f x l -> continuity_pt f x.
Proof. intros H. apply is_derive_Reals in H. apply derivable_continuous_pt. exists l. exact H. Qed.

Lemma continuity_inv (y : R) : y <> 0 -> continuity_pt (fun z => / z) y.
Proof. intros Hy. apply (continuity_pt_inv (fun z => z)); [apply continuity_pt_id|exact Hy]. Qed.

(** ** Separate continuity in the draws *)

Lemma sep_cont_const (c0 : R) : sep_cont (fun _ => c0).
Proof. intros xs ys y. apply continuity_pt_const. intros y1 y2. reflexivity. Qed.

(** A draw: the entry [j] of [xs ++ y :: ys] is [y] or does not depend on [y]. *)
Lemma sep_cont_nth (j : nat) : sep_cont (fun zs => nth j zs 0).
Proof.
  intros xs ys y. destruct (Nat.lt_ge_cases j (length xs)) as [Hj|Hj].
  - apply continuity_pt_const. intros y1 y2. rewrite !app_nth1 by exact Hj. reflexivity.
  - destruct (Nat.eq_dec j (length xs)) as [->|Hne].
    + replace (fun y' => nth (length xs) (xs ++ y' :: ys) 0) with (fun y' : R => y');
        [apply continuity_pt_id|].
      apply functional_extensionality. intros y'. rewrite app_nth2, Nat.sub_diag by lia.
      reflexivity.
    + apply continuity_pt_const. intros y1 y2. rewrite !app_nth2 by exact Hj.
      destruct (j - length xs)%nat eqn:E; [lia|reflexivity].
Qed.

Lemma sep_cont_plus (h1 h2 : list R -> R) :
  sep_cont h1 -> sep_cont h2 -> sep_cont (fun zs => h1 zs + h2 zs).
Proof.
  intros H1 H2 xs ys y.
  apply (continuity_pt_plus (fun y' => h1 (xs ++ y' :: ys)) (fun y' => h2 (xs ++ y' :: ys)));
    [apply H1|apply H2].
Qed.

Lemma sep_cont_mult (h1 h2 : list R -> R) :
  sep_cont h1 -> sep_cont h2 -> sep_cont (fun zs => h1 zs * h2 zs).
Proof.
  intros H1 H2 xs ys y.
  apply (continuity_pt_mult (fun y' => h1 (xs ++ y' :: ys)) (fun y' => h2 (xs ++ y' :: ys)));
    [apply H1|apply H2].
Qed.

(** Composition with a function continuous at every value of [h]. *)
Lemma sep_cont_comp (phi : R -> R) (h : list R -> R) :
  (forall zs, continuity_pt phi (h zs)) -> sep_cont h -> sep_cont (fun zs => phi (h zs)).
Proof.
  intros Hphi Hh xs ys y.
  apply (continuity_pt_comp (fun y' => h (xs ++ y' :: ys)) phi); [apply Hh|apply Hphi].
Qed.

(** * Growth bounds *)

Section Growth.
Variables a b : R.

(** [|f t xs| <= C exp (c |xs|_1)] on the interval, for one [C]. *)
Definition gbound (c : R) (f : R -> list R -> R) : Prop :=
  exists C, forall t xs, a < t < b -> Rabs (f t xs) <= C * exp (c * norm1 xs).

Lemma gbound_nonneg (c : R) (f : R -> list R -> R) :
  gbound c f ->
  exists C, 0 <= C /\ forall t xs, a < t < b -> Rabs (f t xs) <= C * exp (c * norm1 xs).
Proof.
  intros [C HC]. exists (Rabs C). split; [apply Rabs_pos|]. intros t xs Ht.
  eapply Rle_trans; [apply HC, Ht|].
  apply Rmult_le_compat_r; [apply Rlt_le, exp_pos|apply Rle_abs].
Qed.

Lemma gbound_weaken (c c' : R) (f : R -> list R -> R) : c <= c' -> gbound c f -> gbound c' f.
Proof.
  intros Hc Hf. destruct (gbound_nonneg _ _ Hf) as [C [HC0 HC]]. exists C. intros t xs Ht.
  eapply Rle_trans; [apply HC, Ht|]. apply Rmult_le_compat_l; [exact HC0|].
  apply exp_mono_le, Rmult_le_compat_r; [apply norm1_nonneg|exact Hc].
Qed.

Lemma gbound_plus (c : R) (f g : R -> list R -> R) :
  gbound c f -> gbound c g -> gbound c (fun t xs => f t xs + g t xs).
Proof.
  intros [C1 H1] [C2 H2]. exists (C1 + C2). intros t xs Ht.
  eapply Rle_trans; [apply Rabs_triang|]. rewrite Rmult_plus_distr_r.
  apply Rplus_le_compat; [apply H1, Ht|apply H2, Ht].
Qed.

Lemma gbound_mult (c1 c2 : R) (f g : R -> list R -> R) :
  gbound c1 f -> gbound c2 g -> gbound (c1 + c2) (fun t xs => f t xs * g t xs).
Proof.
  intros Hf Hg.
  destruct (gbound_nonneg _ _ Hf) as [C1 [H10 H1]]. destruct (gbound_nonneg _ _ Hg) as [C2 [H20 H2]].
  exists (C1 * C2). intros t xs Ht. rewrite Rabs_mult, Rmult_plus_distr_r, exp_plus.
  replace (C1 * C2 * (exp (c1 * norm1 xs) * exp (c2 * norm1 xs)))
    with ((C1 * exp (c1 * norm1 xs)) * (C2 * exp (c2 * norm1 xs))) by ring.
  apply Rmult_le_compat; try apply Rabs_pos; [apply H1, Ht|apply H2, Ht].
Qed.

(** Domination by an affine function of a bounded one; [c >= 0] makes the
    constant [B] fit under [B exp (c |xs|_1)]. *)
Lemma gbound_le (c A B : R) (f g : R -> list R -> R) :
  0 <= c -> 0 <= A -> 0 <= B ->
  (forall t xs, a < t < b -> Rabs (g t xs) <= A * Rabs (f t xs) + B) ->
  gbound c f -> gbound c g.
Proof.
  intros Hc HA HB Hgf Hf. destruct (gbound_nonneg _ _ Hf) as [C [HC0 HC]].
  exists (A * C + B). intros t xs Ht.
  assert (HE : 1 <= exp (c * norm1 xs)).
  { apply exp_ge_1, Rmult_le_pos; [exact Hc|apply norm1_nonneg]. }
  assert (H1 : A * Rabs (f t xs) <= A * (C * exp (c * norm1 xs)))
    by (apply Rmult_le_compat_l; [exact HA|apply HC, Ht]).
  assert (H2 : B <= B * exp (c * norm1 xs)) by nra.
  specialize (Hgf t xs Ht). nra.
Qed.

Lemma gbound_const (c0 : R) : gbound 0 (fun _ _ => c0).
Proof. exists (Rabs c0). intros t xs _. rewrite Rmult_0_l, exp_0, Rmult_1_r. apply Rle_refl. Qed.

Lemma gbound0_elim (f : R -> list R -> R) :
  gbound 0 f -> exists C, forall t xs, a < t < b -> Rabs (f t xs) <= C.
Proof.
  intros [C HC]. exists C. intros t xs Ht. specialize (HC t xs Ht).
  rewrite Rmult_0_l, exp_0, Rmult_1_r in HC. exact HC.
Qed.

Lemma gbound0_intro (f : R -> list R -> R) (C : R) :
  (forall t xs, a < t < b -> Rabs (f t xs) <= C) -> gbound 0 f.
Proof. intros HC. exists C. intros t xs Ht. rewrite Rmult_0_l, exp_0, Rmult_1_r. apply HC, Ht. Qed.

(** * The growth predicate, taken apart and put together *)

Lemma sg_intro (c : R) (u du : R -> list R -> R) :
  (forall t xs, a < t < b -> is_derive (fun s => u s xs) t (du t xs)) ->
  (forall t, a < t < b -> sep_cont (u t)) ->
  (forall t, a < t < b -> sep_cont (du t)) ->
  gbound c u -> gbound c du -> sg a b c u.
Proof.
  intros Hd Hu Hdu Bu Bdu.
  destruct (gbound_nonneg _ _ Bu) as [C1 [H10 H1]]. destruct (gbound_nonneg _ _ Bdu) as [C2 [H20 H2]].
  exists du. split; [exact Hd|]. split; [intros t Ht; split; auto|].
  exists (C1 + C2). intros t xs Ht. pose proof (exp_pos (c * norm1 xs)).
  split; (eapply Rle_trans; [apply H1, Ht || apply H2, Ht|]); nra.
Qed.

Lemma sg_elim (c : R) (u : R -> list R -> R) :
  sg a b c u ->
  exists du, (forall t xs, a < t < b -> is_derive (fun s => u s xs) t (du t xs)) /\
    (forall t, a < t < b -> sep_cont (u t)) /\ (forall t, a < t < b -> sep_cont (du t)) /\
    gbound c u /\ gbound c du.
Proof.
  intros [du [Hd [Hc [C HC]]]]. exists du.
  split; [exact Hd|]. split; [intros t Ht; apply Hc, Ht|]. split; [intros t Ht; apply Hc, Ht|].
  split; exists C; intros t xs Ht; apply HC, Ht.
Qed.

(** A function of exponent [0] is bounded on the interval. *)
Lemma sg0_bounded (u : R -> list R -> R) :
  sg a b 0 u -> exists C, forall t xs, a < t < b -> Rabs (u t xs) <= C.
Proof. intros Hu. destruct (sg_elim _ _ Hu) as (du & _ & _ & _ & Bu & _). apply gbound0_elim, Bu. Qed.

Lemma sg_ext (c : R) (u v : R -> list R -> R) :
  (forall t xs, u t xs = v t xs) -> sg a b c u -> sg a b c v.
Proof.
  intros E H. replace v with u; [exact H|].
  apply functional_extensionality. intros t. apply functional_extensionality. intros xs. apply E.
Qed.

Lemma sg_weaken (c c' : R) (u : R -> list R -> R) : c <= c' -> sg a b c u -> sg a b c' u.
Proof.
  intros Hc Hu. destruct (sg_elim _ _ Hu) as (du & Hd & Hcu & Hcdu & Bu & Bdu).
  apply (sg_intro _ u du Hd Hcu Hcdu); eapply gbound_weaken; eauto.
Qed.

(** * Constants, the moving entry, the draws *)

Lemma sg_const (c0 : R) : sg a b 0 (fun _ _ => c0).
Proof.
  apply (sg_intro _ _ (fun _ _ => 0)).
  - intros t xs _. apply D_const.
  - intros t _. apply sep_cont_const.
  - intros t _. apply sep_cont_const.
  - apply gbound_const.
  - apply gbound_const.
Qed.

Lemma sg_param : sg a b 0 (fun t _ => t).
Proof.
  apply (sg_intro _ _ (fun _ _ => 1)).
  - intros t xs _. apply (is_derive_id (K := R_AbsRing)).
  - intros t _. apply sep_cont_const.
  - intros t _. apply sep_cont_const.
  - apply (gbound0_intro _ (Rabs a + Rabs b)). intros t xs Ht. apply abs_between. lra.
  - apply gbound_const.
Qed.

(** Draw [j]: [|x_j| <= |xs|_1 <= exp |xs|_1]. *)
Lemma sg_draw (j : nat) : sg a b 1 (fun _ xs => nth j xs 0).
Proof.
  apply (sg_intro _ _ (fun _ _ => 0)).
  - intros t xs _. apply D_const.
  - intros t _. apply sep_cont_nth.
  - intros t _. apply sep_cont_const.
  - exists 1. intros t xs _. rewrite !Rmult_1_l.
    eapply Rle_trans; [apply nth_le_norm1|]. generalize (exp_ineq1_le (norm1 xs)). lra.
  - apply (gbound_weaken 0); [lra|apply gbound_const].
Qed.

(** * Sums and products *)

Lemma sg_plus (c : R) (u v : R -> list R -> R) :
  sg a b c u -> sg a b c v -> sg a b c (fun t xs => u t xs + v t xs).
Proof.
  intros Hu Hv.
  destruct (sg_elim _ _ Hu) as (du & Hdu & Hcu & Hcdu & Bu & Bdu).
  destruct (sg_elim _ _ Hv) as (dv & Hdv & Hcv & Hcdv & Bv & Bdv).
  apply (sg_intro _ _ (fun t xs => du t xs + dv t xs)).
  - intros t xs Ht. apply (D_plus (fun s => u s xs) (fun s => v s xs)); auto.
  - intros t Ht. apply sep_cont_plus; auto.
  - intros t Ht. apply sep_cont_plus; auto.
  - apply gbound_plus; assumption.
  - apply gbound_plus; assumption.
Qed.

(** The form GrowthCheck.v uses: some exponent fits a sum. *)
Lemma sg_add (c1 c2 : R) (u1 u2 : R -> list R -> R) : 0 <= c1 -> 0 <= c2 -> sg a b c1 u1 -> sg a b c2 u2 ->
  exists c, 0 <= c /\ sg a b c (fun t xs => u1 t xs + u2 t xs).
Proof.
  intros Hc1 Hc2 Hu1 Hu2. exists (c1 + c2). split; [lra|].
  apply sg_plus; [apply (sg_weaken c1)|apply (sg_weaken c2)]; auto; lra.
Qed.

Lemma sg_mult (c1 c2 : R) (u v : R -> list R -> R) :
  sg a b c1 u -> sg a b c2 v -> sg a b (c1 + c2) (fun t xs => u t xs * v t xs).
Proof.
  intros Hu Hv.
  destruct (sg_elim _ _ Hu) as (du & Hdu & Hcu & Hcdu & Bu & Bdu).
  destruct (sg_elim _ _ Hv) as (dv & Hdv & Hcv & Hcdv & Bv & Bdv).
  apply (sg_intro _ _ (fun t xs => v t xs * du t xs + u t xs * dv t xs)).
  - intros t xs Ht. apply (D_mult (fun s => u s xs) (fun s => v s xs)); auto.
  - intros t Ht. apply sep_cont_mult; auto.
  - intros t Ht. apply sep_cont_plus; apply sep_cont_mult; auto.
  - apply gbound_mult; assumption.
  - apply gbound_plus; [rewrite Rplus_comm|]; apply gbound_mult; assumption.
Qed.

(** Sums and products with the exponents weakened to a common one, the
    form the operator proofs use (the inequalities come last, for [lra]). *)
Lemma sg_plus_le (c c1 c2 : R) (u v : R -> list R -> R) :
  sg a b c1 u -> sg a b c2 v -> c1 <= c -> c2 <= c -> sg a b c (fun t xs => u t xs + v t xs).
Proof. intros Hu Hv H1 H2. apply sg_plus; [apply (sg_weaken c1)|apply (sg_weaken c2)]; assumption. Qed.

Lemma sg_mult_le (c c1 c2 : R) (u v : R -> list R -> R) :
  sg a b c1 u -> sg a b c2 v -> c1 + c2 <= c -> sg a b c (fun t xs => u t xs * v t xs).
Proof. intros Hu Hv H. eapply sg_weaken; [exact H|]. apply sg_mult; assumption. Qed.

Lemma sg_const_le (c c0 : R) : 0 <= c -> sg a b c (fun _ _ => c0).
Proof. intros Hc. eapply sg_weaken; [exact Hc|]. apply sg_const. Qed.

Lemma sg_isum (c : R) (n : nat) (f : nat -> R -> list R -> R) :
  0 <= c -> (forall i, (i < n)%nat -> sg a b c (f i)) ->
  sg a b c (fun t xs => isum n (fun i => f i t xs)).
Proof.
  intros Hc. induction n as [|n IH]; intros Hf.
  - change (sg a b c (fun _ _ => 0)). apply sg_const_le, Hc.
  - change (sg a b c (fun t xs => isum n (fun i => f i t xs) + f n t xs)).
    apply sg_plus; [apply IH; intros i Hi; apply Hf; lia|apply Hf; lia].
Qed.

(** * Composition with a function of linear growth and bounded derivative *)

Lemma sg_comp (phi phi' : R -> R) (A B D c : R) (u : R -> list R -> R) :
  0 <= c -> 0 <= A -> 0 <= B -> 0 <= D ->
  (forall y, is_derive phi y (phi' y)) -> (forall y, continuity_pt phi' y) ->
  (forall y, Rabs (phi y) <= A * Rabs y + B) -> (forall y, Rabs (phi' y) <= D) ->
  sg a b c u -> sg a b c (fun t xs => phi (u t xs)).
Proof.
  intros Hc HA HB HD Hphi Hphi' Hgr Hder Hu.
  destruct (sg_elim _ _ Hu) as (du & Hdu & Hcu & Hcdu & Bu & Bdu).
  apply (sg_intro _ _ (fun t xs => phi' (u t xs) * du t xs)).
  - intros t xs Ht. apply D_comp; auto.
  - intros t Ht. apply sep_cont_comp; [|auto]. intros zs. eapply derive_continuity, Hphi.
  - intros t Ht. apply sep_cont_mult; [apply sep_cont_comp|]; auto.
  - apply (gbound_le c A B u); auto.
  - apply (gbound_le c D 0 du); auto; [lra|]. intros t xs _. rewrite Rabs_mult, Rplus_0_r.
    apply Rmult_le_compat_r; [apply Rabs_pos|apply Hder].
Qed.

Lemma sg_scal (k c : R) (u : R -> list R -> R) :
  0 <= c -> sg a b c u -> sg a b c (fun t xs => k * u t xs).
Proof.
  intros Hc Hu. pose proof (Rabs_pos k).
  apply (sg_comp (fun y => k * y) (fun _ => k) (Rabs k) 0 (Rabs k)); auto; try lra.
  - intros y. auto_derive; [exact I|ring].
  - intros y. apply continuity_pt_const. intros y1 y2. reflexivity.
  - intros y. rewrite Rabs_mult. lra.
  - intros y. apply Rle_refl.
Qed.

Lemma sg_opp (c : R) (u : R -> list R -> R) :
  0 <= c -> sg a b c u -> sg a b c (fun t xs => - u t xs).
Proof. intros Hc Hu. apply (sg_ext _ (fun t xs => -1 * u t xs)); [intros; ring|]. apply sg_scal; auto. Qed.

Lemma sg_minus_le (c c1 c2 : R) (u v : R -> list R -> R) :
  0 <= c -> sg a b c1 u -> sg a b c2 v -> c1 <= c -> c2 <= c -> sg a b c (fun t xs => u t xs - v t xs).
Proof.
  intros Hc Hu Hv H1 H2. apply (sg_ext _ (fun t xs => u t xs + - v t xs)); [intros; ring|].
  apply sg_plus; [apply (sg_weaken c1); assumption|].
  apply sg_opp; [exact Hc|]. apply (sg_weaken c2); assumption.
Qed.

Lemma sg_softplus (c : R) (u : R -> list R -> R) :
  0 <= c -> sg a b c u -> sg a b c (fun t xs => R_softplus (u t xs)).
Proof.
  intros Hc. apply (sg_comp R_softplus R_sigmoid 1 1 1); auto; try lra.
  - exact D_softplus.
  - intros y. eapply derive_continuity, D_sigmoid.
  - intros y. rewrite Rabs_pos_eq by apply Rlt_le, softplus_pos. generalize (softplus_le_abs y). lra.
  - intros y. destruct (sigmoid_in_01 y). rewrite Rabs_pos_eq; lra.
Qed.

Lemma sg_sigmoid (c : R) (u : R -> list R -> R) :
  0 <= c -> sg a b c u -> sg a b c (fun t xs => R_sigmoid (u t xs)).
Proof.
  intros Hc. apply (sg_comp R_sigmoid (fun y => R_sigmoid y * (1 - R_sigmoid y)) 0 1 1); auto; try lra.
  - exact D_sigmoid.
  - intros y. assert (Hs : continuity_pt R_sigmoid y) by (eapply derive_continuity, D_sigmoid).
    apply (continuity_pt_mult R_sigmoid (fun z => 1 - R_sigmoid z)); [exact Hs|].
    apply (continuity_pt_minus (fun _ => 1) R_sigmoid); [|exact Hs].
    apply continuity_pt_const. intros y1 y2. reflexivity.
  - intros y. destruct (sigmoid_in_01 y). rewrite Rabs_pos_eq; lra.
  - intros y. destruct (sigmoid_in_01 y). rewrite Rabs_pos_eq; nra.
Qed.

(** * Composition of a bounded function staying above [L]

    [phi] need only be differentiable, and bounded with its derivative, on
    the range [[L, sup u]] of [u]; the exponent stays [0]. *)

Lemma sg0_comp (phi phi' : R -> R) (L : R) (u : R -> list R -> R) :
  (forall y, L <= y -> is_derive phi y (phi' y)) ->
  (forall y, L <= y -> continuity_pt phi' y) ->
  (forall M, exists K, forall y, L <= y <= M -> Rabs (phi y) <= K /\ Rabs (phi' y) <= K) ->
  (forall t xs, a < t < b -> L <= u t xs) ->
  sg a b 0 u -> sg a b 0 (fun t xs => phi (u t xs)).
Proof.
  intros Hphi Hphi' HK HL Hu.
  destruct (sg_elim _ _ Hu) as (du & Hdu & Hcu & Hcdu & Bu & Bdu).
  destruct (gbound0_elim _ Bu) as [M HM].
  destruct (HK M) as [K HKM].
  assert (Hr : forall t xs, a < t < b -> L <= u t xs <= M).
  { intros t xs Ht. split; [apply HL, Ht|]. eapply Rle_trans; [apply Rle_abs|apply HM, Ht]. }
  apply (sg_intro _ _ (fun t xs => phi' (u t xs) * du t xs)).
  - intros t xs Ht. apply D_comp; [apply Hphi, HL, Ht|auto].
  - intros t Ht. apply sep_cont_comp; [|auto]. intros zs. eapply derive_continuity, Hphi, HL, Ht.
  - intros t Ht. apply sep_cont_mult; [|auto].
    apply sep_cont_comp; [intros zs; apply Hphi', HL, Ht|auto].
  - apply (gbound0_intro _ K). intros t xs Ht. apply HKM, Hr, Ht.
  - apply (gbound_le 0 (Rabs K) 0 du); try lra; try apply Rabs_pos; [|exact Bdu].
    intros t xs Ht. rewrite Rabs_mult, Rplus_0_r.
    apply Rmult_le_compat_r; [apply Rabs_pos|].
    eapply Rle_trans; [apply HKM, Hr, Ht|apply Rle_abs].
Qed.

Lemma sg_exp (u : R -> list R -> R) : sg a b 0 u -> sg a b 0 (fun t xs => exp (u t xs)).
Proof.
  intros Hu. destruct (sg0_bounded _ Hu) as [C HC].
  apply (sg0_comp exp exp (- C)); auto.
  - intros y _. apply D_exp.
  - intros y _. eapply derive_continuity, D_exp.
  - intros M. exists (exp M). intros y Hy. rewrite Rabs_pos_eq by apply Rlt_le, exp_pos.
    split; apply exp_mono_le; lra.
  - intros t xs Ht. exact (proj1 (abs_le_bounds _ _ (HC t xs Ht))).
Qed.

Lemma sg_ln (L : R) (u : R -> list R -> R) :
  0 < L -> (forall t xs, a < t < b -> L <= u t xs) ->
  sg a b 0 u -> sg a b 0 (fun t xs => ln (u t xs)).
Proof.
  intros HL0. apply (sg0_comp ln (fun y => / y) L).
  - intros y Hy. apply D_ln. lra.
  - intros y Hy. apply continuity_inv. lra.
  - intros M. exists (Rabs (ln L) + Rabs (ln M) + / L). intros y Hy.
    pose proof (Rinv_0_lt_compat L HL0). pose proof (Rabs_pos (ln L)). pose proof (Rabs_pos (ln M)).
    split.
    + assert (Hln : Rabs (ln y) <= Rabs (ln L) + Rabs (ln M)).
      { apply abs_between. split; apply ln_le; lra. }
      lra.
    + rewrite Rabs_pos_eq by (apply Rlt_le, Rinv_0_lt_compat; lra).
      generalize (Rinv_le_contravar L y HL0 (proj1 Hy)). lra.
Qed.

Lemma sg_inv (L : R) (u : R -> list R -> R) :
  0 < L -> (forall t xs, a < t < b -> L <= u t xs) ->
  sg a b 0 u -> sg a b 0 (fun t xs => / u t xs).
Proof.
  intros HL0. apply (sg0_comp (fun y => / y) (fun y => - / (y * y)) L).
  - intros y Hy. replace (- / (y * y)) with (- 1 / y ^ 2) by (field; lra).
    apply (is_derive_inv (fun z => z) y 1); [apply (is_derive_id (K := R_AbsRing))|lra].
  - intros y Hy. apply (continuity_pt_opp (fun z => / (z * z))).
    apply (continuity_pt_inv (fun z => z * z)); [|nra].
    apply (continuity_pt_mult (fun z => z) (fun z => z)); apply continuity_pt_id.
  - intros M. exists (/ L + / (L * L)). intros y Hy.
    assert (HL2 : 0 < L * L) by nra.
    pose proof (Rinv_0_lt_compat L HL0). pose proof (Rinv_0_lt_compat (L * L) HL2).
    split.
    + rewrite Rabs_pos_eq by (apply Rlt_le, Rinv_0_lt_compat; lra).
      generalize (Rinv_le_contravar L y HL0 (proj1 Hy)). lra.
    + rewrite Rabs_Ropp, Rabs_pos_eq by (apply Rlt_le, Rinv_0_lt_compat; nra).
      assert (Hyy : L * L <= y * y) by nra.
      generalize (Rinv_le_contravar _ _ HL2 Hyy). lra.
Qed.

Lemma sg_sqrt (L : R) (u : R -> list R -> R) :
  0 < L -> (forall t xs, a < t < b -> L <= u t xs) ->
  sg a b 0 u -> sg a b 0 (fun t xs => sqrt (u t xs)).
Proof.
  intros HL0. pose proof (sqrt_lt_R0 L HL0) as HsL.
  apply (sg0_comp sqrt (fun y => / (2 * sqrt y)) L).
  - intros y Hy. apply D_sqrt. lra.
  - intros y Hy. apply (continuity_pt_inv (fun z => 2 * sqrt z)).
    + apply (continuity_pt_mult (fun _ => 2) sqrt).
      * apply continuity_pt_const. intros y1 y2. reflexivity.
      * apply continuity_pt_sqrt. lra.
    + generalize (sqrt_lt_R0 y ltac:(lra)). lra.
  - intros M. exists (sqrt M + / (2 * sqrt L)). intros y Hy.
    assert (Hsy : sqrt L <= sqrt y) by (apply sqrt_le_1_alt; lra).
    assert (H2 : 0 < 2 * sqrt L) by lra.
    pose proof (Rinv_0_lt_compat _ H2). pose proof (sqrt_pos M).
    split.
    + rewrite Rabs_pos_eq by apply sqrt_pos.
      assert (sqrt y <= sqrt M) by (apply sqrt_le_1_alt; lra). lra.
    + rewrite Rabs_pos_eq by (apply Rlt_le, Rinv_0_lt_compat; lra).
      assert (Hinv : / (2 * sqrt y) <= / (2 * sqrt L)) by (apply Rinv_le_contravar; lra). lra.
Qed.

End Growth.

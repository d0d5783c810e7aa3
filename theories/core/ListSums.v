(** * Lists, sums and dot products over R, shared by the correctness proofs

    The list, sum and dot-product facts over [R], and the bookkeeping of
    the reverse-mode induction built on them, shared by the deterministic
    (BackpropCorrect.v, [backprop_correct]) and the stochastic (Unbiased.v,
    [backprop_unbiased]) correctness proofs; each is proved once here.

    - [replace_nth j a l] (entry [j] of [l] replaced by [a]) and
      [set_entry e p j t] (entry [j] of the value of [p] replaced by [t]):
      the curve along which both theorems differentiate.
    - [curve_tangents sz S E dE t0]: [E] is a curve of environments whose
      values on the names [S] have derivatives [dE] at [t0];
      [set_entry_tangents]: the curve [set_entry e p j] has the tangents
      [unit_tangent sz p j]; [curve_tangents_cons]: one more name.
    - [rsum] (the sum of a list of reals), [dot] at [R] (linearity, zeros,
      unit vectors), sums over unique names ([sum_single], [sum_swap],
      [sum_unit_tangent], [sum_dots_cons]).
    - Adjoint accumulation at [R]: [contribs_to], [seed] and [pair_dots]
      against tangents ([sum_contribs_combine], [seed_dots]).
    - The derivative of the total cost along a curve ([total_cost_derive])
      and of a node's parents' values ([parents_derive]); the sizes of the
      parents' values ([sized_map]), of the forward values
      ([forward_nodes_sized]) and of the naive adjoints
      ([naive_adj_est_length], per-node multipliers; [naive_adj_length],
      one cost).
    - Names of well-formed node lists ([parents_not_later],
      [name_not_later]), input sizes ([input_values_sized]), costs
      ([costs_covered]), [find_val_naive_backprop].
    - [det_node_step_est]: the step of the suffix induction at a
      deterministic node, from [dop_correct]: the extended curve has
      tangents, and the adjoints of the rest of the suffix against them are
      those of the suffix (per-node multipliers, [naive_adj_est];
      [det_node_step]: one cost, [naive_adj]).  (BackpropCorrect.v's
      induction has only this step; SuffixIdentity.v's adds random
      nodes.) *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Bool Lia.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed Backprop OpsSpec.
From Certigrad Require Import OpsJvp GraphFacts BackpropEst.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * One entry of a list, one entry of an environment *)

(** Replace entry [j] of [l] by [a] (no change when [j] is out of range). *)
Fixpoint replace_nth {A : Type} (j : nat) (a : A) (l : list A) {struct l} : list A :=
  match l, j with
  | [], _ => []
  | _ :: l', O => a :: l'
  | x :: l', S j' => x :: replace_nth j' a l'
  end.

(** Replace entry [j] of the value of [p] (its first binding) by [t]. *)
Fixpoint set_entry (e : env R) (p : string) (j : nat) (t : R) : env R :=
  match e with
  | [] => []
  | (k, v) :: e' =>
      if String.eqb p k then (k, replace_nth j t v) :: e' else (k, v) :: set_entry e' p j t
  end.

Lemma replace_nth_length {A : Type} (j : nat) (a : A) (l : list A) :
  length (replace_nth j a l) = length l.
Proof. revert j; induction l as [|x l IH]; intros [|j]; simpl; auto. Qed.

Lemma nth_replace_nth_eq {A : Type} (j : nat) (a d : A) (l : list A) :
  (j < length l)%nat -> nth j (replace_nth j a l) d = a.
Proof.
  revert j; induction l as [|x l IH]; intros [|j] Hj; simpl in *; try lia; auto.
  apply IH. lia.
Qed.

Lemma nth_replace_nth_neq {A : Type} (j k : nat) (a d : A) (l : list A) :
  k <> j -> nth k (replace_nth j a l) d = nth k l d.
Proof.
  revert j k; induction l as [|x l IH]; intros [|j] [|k] Hk; simpl; auto; try lia.
  all: apply IH; lia.
Qed.

Lemma replace_nth_nth {A : Type} (j : nat) (d : A) (l : list A) :
  replace_nth j (nth j l d) l = l.
Proof. revert j; induction l as [|x l IH]; intros [|j]; simpl; f_equal; auto. Qed.

Lemma find_val_set_entry (e : env R) (p r : string) (j : nat) (t : R) :
  find_val (set_entry e p j t) r =
  if String.eqb p r then replace_nth j t (find_val e p) else find_val e r.
Proof.
  unfold find_val. induction e as [|[k v] e IH]; simpl.
  - destruct (String.eqb p r); [destruct j|]; reflexivity.
  - destruct (String.eqb_spec p k) as [->|Hpk]; simpl.
    + destruct (String.eqb_spec r k) as [->|Hrk].
      * now rewrite String.eqb_refl.
      * destruct (String.eqb_spec k r); [congruence|reflexivity].
    + destruct (String.eqb_spec r k) as [->|Hrk].
      * destruct (String.eqb_spec p k); [congruence|reflexivity].
      * exact IH.
Qed.

Lemma set_entry_length (e : env R) (p r : string) (j : nat) (t : R) :
  length (find_val (set_entry e p j t) r) = length (find_val e r).
Proof.
  rewrite find_val_set_entry.
  destruct (String.eqb_spec p r) as [<-|]; [apply replace_nth_length|reflexivity].
Qed.

Lemma set_entry_same (e : env R) (p : string) (j : nat) :
  set_entry e p j (nth j (find_val e p) 0) = e.
Proof.
  unfold find_val. induction e as [|[k v] e IH]; simpl; [reflexivity|].
  destruct (String.eqb_spec p k) as [->|Hpk].
  - now rewrite replace_nth_nth.
  - now rewrite IH.
Qed.

(** * Curves of environments and their tangents *)

(** The derivative of [set_entry e p j t] in [t]: the unit vector at entry
    [j] for [p], zero (of size [sz r]) for every other name [r]. *)
Definition unit_tangent (sz : string -> nat) (p : string) (j : nat) (r : string) : list R :=
  if String.eqb p r then replace_nth j 1 (repeat 0 (sz r)) else repeat 0 (sz r).

Lemma unit_tangent_length (sz : string -> nat) (p : string) (j : nat) (r : string) :
  length (unit_tangent sz p j r) = sz r.
Proof.
  unfold unit_tangent. destruct (String.eqb p r); [rewrite replace_nth_length|]; apply repeat_length.
Qed.

Lemma set_entry_derive (e : env R) (sz : string -> nat) (p : string) (j : nat) :
  length (find_val e p) = sz p -> (j < sz p)%nat ->
  forall r k t, is_derive (fun u => nth k (find_val (set_entry e p j u) r) 0) t
                  (nth k (unit_tangent sz p j r) 0).
Proof.
  intros Hn Hj r k t. unfold unit_tangent. destruct (String.eqb_spec p r) as [<-|Hpr].
  - destruct (Nat.eq_dec k j) as [->|Hkj].
    + rewrite nth_replace_nth_eq by (rewrite repeat_length; exact Hj).
      eapply is_derive_ext; [|apply (is_derive_id t)].
      intros u. simpl. rewrite find_val_set_entry, String.eqb_refl.
      symmetry. apply nth_replace_nth_eq. lia.
    + rewrite nth_replace_nth_neq, nth_repeat by exact Hkj.
      eapply is_derive_ext; [|apply (D_const (nth k (find_val e p) 0) t)].
      intros u. simpl. rewrite find_val_set_entry, String.eqb_refl.
      symmetry. now apply nth_replace_nth_neq.
  - rewrite nth_repeat.
    eapply is_derive_ext; [|apply (D_const (nth k (find_val e r) 0) t)].
    intros u. simpl. rewrite find_val_set_entry.
    destruct (String.eqb_spec p r); [contradiction|reflexivity].
Qed.

(** [E] is a curve of environments with tangents [dE] at [t0] on the
    names [S]: values and tangents of the sizes [sz], and the entries of
    the values have the entries of the tangents as derivatives. *)
Definition curve_tangents (sz : string -> nat) (S : list string) (E : R -> env R)
    (dE : string -> list R) (t0 : R) : Prop :=
  (forall r, In r S -> forall t, length (find_val (E t) r) = sz r) /\
  (forall r, In r S -> length (dE r) = sz r) /\
  (forall r, In r S -> forall k,
      is_derive (fun t => nth k (find_val (E t) r) 0) t0 (nth k (dE r) 0)).

Lemma curve_tangents_ext (sz : string -> nat) (S : list string) (E E' : R -> env R)
    (dE : string -> list R) (t0 : R) :
  (forall t, E t = E' t) -> curve_tangents sz S E dE t0 -> curve_tangents sz S E' dE t0.
Proof.
  intros HE (Hlen & Hdlen & Hder). split; [|split; [exact Hdlen|]].
  - intros r Hr t. rewrite <- HE. auto.
  - intros r Hr k. eapply is_derive_ext; [|apply Hder, Hr]. intros t. cbv beta. now rewrite HE.
Qed.

(** The curve extended with one more name [k] (not in [S]), of value
    [V t] and tangent [dv]. *)
Lemma curve_tangents_cons (sz : string -> nat) (S : list string) (E : R -> env R)
    (dE : string -> list R) (t0 : R) (k : string) (V : R -> list R) (dv : list R) :
  ~ In k S -> curve_tangents sz S E dE t0 ->
  (forall t, length (V t) = sz k) -> length dv = sz k ->
  (forall i, is_derive (fun t => nth i (V t) 0) t0 (nth i dv 0)) ->
  curve_tangents sz (k :: S) (fun t => (k, V t) :: E t)
    (fun r => if String.eqb r k then dv else dE r) t0.
Proof.
  intros Hk (Hlen & Hdlen & Hder) HV Hdv HVder.
  split; [|split]; intros r [<-|Hr]; rewrite ?String.eqb_refl; auto.
  - intros t. now rewrite find_val_cons_eq.
  - intros t. rewrite find_val_cons_neq by (intros ->; contradiction). auto.
  - destruct (String.eqb_spec r k) as [->|]; [contradiction|auto].
  - intros i. eapply is_derive_ext; [|apply HVder]. intros t. simpl. now rewrite find_val_cons_eq.
  - destruct (String.eqb_spec r k) as [->|]; [contradiction|].
    intros i. eapply is_derive_ext; [|apply (Hder r Hr i)]. intros t. simpl.
    rewrite find_val_cons_neq by (intros ->; contradiction). reflexivity.
Qed.

(** The curve that moves entry [j] of [p] (inputs of the sizes [sz]). *)
Lemma set_entry_tangents (e : env R) (sz : string -> nat) (S : list string) (p : string)
    (j : nat) (t0 : R) :
  (forall r, In r S -> length (find_val e r) = sz r) -> In p S -> (j < sz p)%nat ->
  curve_tangents sz S (fun t => set_entry e p j t) (unit_tangent sz p j) t0.
Proof.
  intros Hlen Hp Hj. split; [|split].
  - intros r Hr t. rewrite set_entry_length. auto.
  - intros r _. apply unit_tangent_length.
  - intros r _ k. apply set_entry_derive; [apply Hlen, Hp|exact Hj].
Qed.

(** * Sums and dot products at R *)

Definition rsum (l : list R) : R := fold_right Rplus 0 l.

Lemma fold_left_Rplus_rsum (l : list R) (a : R) : fold_left Rplus l a = a + rsum l.
Proof.
  revert a; induction l as [|x l IH]; intros a; simpl; [ring|]. rewrite IH. ring.
Qed.

Lemma dot_rsum (x y : list R) : dot R_ops x y = rsum (map2 Rmult x y).
Proof.
  unfold dot, vsum, vmul. change (fold_left Rplus (map2 Rmult x y) 0 = rsum (map2 Rmult x y)).
  rewrite fold_left_Rplus_rsum. ring.
Qed.

Lemma dot_vadd_l (a b d : list R) :
  length a = length b -> dot R_ops (vadd R_ops a b) d = dot R_ops a d + dot R_ops b d.
Proof.
  rewrite !dot_rsum. unfold vadd. change (s_add R_ops) with Rplus.
  revert b d; induction a as [|x a IH]; intros [|y b] [|z d] H; simpl in *;
    try discriminate; try ring.
  rewrite IH by lia. ring.
Qed.

Lemma dot_vscale_l (c : R) (x y : list R) : dot R_ops (vscale R_ops c x) y = c * dot R_ops x y.
Proof.
  rewrite !dot_rsum. unfold vscale. change (s_mul R_ops) with Rmult.
  revert y; induction x as [|u x IH]; intros [|v y]; simpl; try ring.
  rewrite IH. ring.
Qed.

Lemma dot_zeros_r (x : list R) (n : nat) : dot R_ops x (repeat 0 n) = 0.
Proof.
  rewrite dot_rsum. revert n; induction x as [|a x IH]; intros [|n]; simpl; try ring.
  rewrite IH. ring.
Qed.

Lemma dot_zeros_l (x : list R) (n : nat) : dot R_ops (repeat 0 n) x = 0.
Proof.
  rewrite dot_rsum. revert n; induction x as [|a x IH]; intros [|n]; simpl; try ring.
  rewrite IH. ring.
Qed.

Lemma dot_unit (x : list R) (n j : nat) :
  (j < n)%nat -> dot R_ops x (replace_nth j 1 (repeat 0 n)) = nth j x 0.
Proof.
  rewrite dot_rsum. revert x n; induction j as [|j IH]; intros [|a x] [|n] Hj;
    simpl; try lia; try ring.
  - fold (map2 Rmult x (repeat 0 n)). rewrite <- dot_rsum, dot_zeros_r. ring.
  - rewrite IH by lia. ring.
Qed.

Lemma dot_one_l (d : list R) : dot R_ops [1] d = nth 0 d 0.
Proof. rewrite dot_rsum. destruct d; simpl; ring. Qed.

Lemma rsum_plus {A : Type} (f h : A -> R) (l : list A) :
  rsum (map (fun x => f x + h x) l) = rsum (map f l) + rsum (map h l).
Proof. induction l as [|x l IH]; simpl; [ring|]. rewrite IH. ring. Qed.

Lemma rsum_zero {A : Type} (f : A -> R) (l : list A) :
  (forall x, In x l -> f x = 0) -> rsum (map f l) = 0.
Proof.
  induction l as [|x l IH]; simpl; intros H; [reflexivity|].
  rewrite H, IH by auto. ring.
Qed.

Lemma rsum_ext {A : Type} (f h : A -> R) (l : list A) :
  (forall x, In x l -> f x = h x) -> rsum (map f l) = rsum (map h l).
Proof. intros H. f_equal. now apply map_ext_in. Qed.

(** Dots against tangents extended with one more name [k] (not in [S]). *)
Lemma sum_dots_cons (S : list string) (k : string) (a dE : string -> list R) (dv : list R) :
  ~ In k S ->
  rsum (map (fun r => dot R_ops (a r) (if String.eqb r k then dv else dE r)) (k :: S)) =
  dot R_ops (a k) dv + rsum (map (fun r => dot R_ops (a r) (dE r)) S).
Proof.
  intros Hk. simpl. rewrite String.eqb_refl. f_equal. apply rsum_ext. intros r Hr.
  destruct (String.eqb_spec r k) as [->|]; [contradiction|reflexivity].
Qed.

(** A sum over unique names that picks one name. *)
Lemma sum_single (S : list string) (a : string) (h : string -> R) :
  NoDup S -> In a S -> rsum (map (fun r => if String.eqb a r then h r else 0) S) = h a.
Proof.
  induction S as [|r S IH]; simpl; [tauto|]. intros Hnd Ha.
  inversion Hnd as [|? ? Hr Hnd']; subst.
  destruct (String.eqb_spec a r) as [->|Har].
  - rewrite rsum_zero; [ring|]. intros x Hx.
    destruct (String.eqb_spec r x) as [->|]; [contradiction|reflexivity].
  - destruct Ha as [->|Ha]; [congruence|]. rewrite IH by assumption. ring.
Qed.

(** Exchange of a sum over unique names with a sum over keyed terms. *)
Lemma sum_swap {B : Type} (S : list string) (L : list (string * B)) (F : string * B -> string -> R) :
  NoDup S -> (forall x, In x L -> In (fst x) S) ->
  rsum (map (fun r => rsum (map (fun x => if String.eqb (fst x) r then F x r else 0) L)) S) =
  rsum (map (fun x => F x (fst x)) L).
Proof.
  intros Hnd. induction L as [|x L IH]; intros HL; simpl.
  - apply rsum_zero. intros; reflexivity.
  - rewrite (rsum_plus (fun r => if String.eqb (fst x) r then F x r else 0)
                       (fun r => rsum (map (fun y => if String.eqb (fst y) r then F y r else 0) L))).
    rewrite (sum_single S (fst x) (F x) Hnd (HL x (or_introl eq_refl))).
    rewrite IH; [reflexivity|]. intros y Hy. apply HL. now right.
Qed.

(** Summed over unique names, the dots against [unit_tangent] pick entry
    [j] of [p]. *)
Lemma sum_unit_tangent (S : list string) (sz : string -> nat) (p : string) (j : nat)
    (a : string -> list R) :
  NoDup S -> In p S -> (j < sz p)%nat ->
  rsum (map (fun r => dot R_ops (a r) (unit_tangent sz p j r)) S) = nth j (a p) 0.
Proof.
  intros Hnd Hp Hj.
  rewrite (rsum_ext _ (fun r => if String.eqb p r then nth j (a r) 0 else 0)).
  - apply sum_single; assumption.
  - intros r Hr. unfold unit_tangent. destruct (String.eqb_spec p r) as [<-|].
    + apply dot_unit. exact Hj.
    + apply dot_zeros_r.
Qed.

(** * Adjoint accumulation at R *)

Lemma contribs_to_length (r : string) (cs : list (string * list R)) (base : list R) :
  (forall x, In x cs -> fst x = r -> length (snd x) = length base) ->
  length (contribs_to R_ops r cs base) = length base.
Proof.
  unfold contribs_to, tensor. revert base; induction cs as [|x cs IH]; intros base H; simpl; auto.
  cbv beta. destruct (String.eqb_spec (fst x) r) as [Hx|Hx].
  - assert (Hl : length (vadd R_ops base (snd x)) = length base).
    { unfold vadd. rewrite map2_length, (H x (or_introl eq_refl) Hx). apply Nat.min_id. }
    rewrite IH; [exact Hl|]. intros y Hy Hyr. rewrite Hl. apply H; [now right|exact Hyr].
  - apply IH. intros y Hy Hyr. apply H; [now right|exact Hyr].
Qed.

Lemma dot_contribs_to (r : string) (cs : list (string * list R)) (base d : list R) :
  (forall x, In x cs -> fst x = r -> length (snd x) = length base) ->
  dot R_ops (contribs_to R_ops r cs base) d =
  dot R_ops base d + rsum (map (fun x => if String.eqb (fst x) r then dot R_ops (snd x) d else 0) cs).
Proof.
  unfold contribs_to, tensor. revert base; induction cs as [|x cs IH]; intros base H; simpl; [ring|].
  cbv beta. destruct (String.eqb_spec (fst x) r) as [Hx|Hx].
  - assert (Hl : length (vadd R_ops base (snd x)) = length base).
    { unfold vadd. rewrite map2_length, (H x (or_introl eq_refl) Hx). apply Nat.min_id. }
    rewrite IH.
    + rewrite dot_vadd_l by (symmetry; apply H; [now left|exact Hx]). ring.
    + intros y Hy Hyr. rewrite Hl. apply H; [now right|exact Hyr].
  - rewrite IH; [ring|]. intros y Hy Hyr. apply H; [now right|exact Hyr].
Qed.

(** Summed over unique names, the contributions [cs] add one term per
    contribution. *)
Lemma sum_contribs (S : list string) (cs : list (string * list R)) (a dE : string -> list R) :
  NoDup S -> (forall x, In x cs -> In (fst x) S) ->
  (forall x, In x cs -> length (snd x) = length (a (fst x))) ->
  rsum (map (fun r => dot R_ops (contribs_to R_ops r cs (a r)) (dE r)) S) =
  rsum (map (fun r => dot R_ops (a r) (dE r)) S) +
  rsum (map (fun x => dot R_ops (snd x) (dE (fst x))) cs).
Proof.
  intros Hnd Hkeys Hlen.
  rewrite (rsum_ext (fun r => dot R_ops (contribs_to R_ops r cs (a r)) (dE r))
                    (fun r => dot R_ops (a r) (dE r) +
             rsum (map (fun x => if String.eqb (fst x) r then dot R_ops (snd x) (dE r) else 0) cs))).
  - rewrite rsum_plus. f_equal.
    exact (sum_swap S cs (fun x r => dot R_ops (snd x) (dE r)) Hnd Hkeys).
  - intros r _. apply dot_contribs_to. intros x Hx <-. apply Hlen, Hx.
Qed.

Lemma seed_contribs {T : Type} (K : scalar_ops T) (g : graph T) (r : string) :
  seed K g r = contribs_to K r (map (fun c => (c, [s_one K])) (g_costs g))
                 (zeros K (shape_size (find_shape (shape_env g) r))).
Proof.
  unfold seed, contribs_to. generalize (zeros K (shape_size (find_shape (shape_env g) r))).
  induction (g_costs g) as [|c cs IH]; intros base; simpl; auto.
Qed.

Lemma pair_dots_combine (ps : list string) (pbs : list (list R)) (dE : string -> list R) :
  rsum (map (fun x => dot R_ops (snd x) (dE (fst x))) (combine ps pbs)) =
  pair_dots pbs (map dE ps).
Proof.
  unfold pair_dots. revert pbs; induction ps as [|p ps IH]; intros [|pb pbs]; simpl; auto.
  unfold rsum in IH. rewrite <- IH. reflexivity.
Qed.

Lemma in_combine_sized (f : string -> shape) (ps : list string) (pbs : list (list R))
    (x : string * list R) :
  Forall2 (fun pb s => length pb = shape_size s) pbs (map f ps) ->
  In x (combine ps pbs) -> length (snd x) = shape_size (f (fst x)).
Proof.
  revert pbs; induction ps as [|p ps IH]; intros [|pb pbs] H Hin; simpl in *; try tauto.
  inversion H; subst. destruct Hin as [<-|Hin]; simpl; eauto.
Qed.

(** A node's contributions [combine ps pbs] (parents [ps], pullbacks or
    scores [pbs], of the parents' sizes), summed against the tangents
    [dE] over unique names that include the parents: one [pair_dots]. *)
Lemma sum_contribs_combine (S ps : list string) (pbs : list (list R)) (f : string -> shape)
    (a dE : string -> list R) :
  NoDup S -> (forall p, In p ps -> In p S) ->
  Forall2 (fun pb s => length pb = shape_size s) pbs (map f ps) ->
  (forall p, length (a p) = shape_size (f p)) ->
  rsum (map (fun r => dot R_ops (contribs_to R_ops r (combine ps pbs) (a r)) (dE r)) S) =
  rsum (map (fun r => dot R_ops (a r) (dE r)) S) + pair_dots pbs (map dE ps).
Proof.
  intros Hnd Hps Hpbs Ha. rewrite (sum_contribs S (combine ps pbs) a dE Hnd).
  - now rewrite pair_dots_combine.
  - intros [p pb] Hx. apply in_combine_l in Hx. apply Hps, Hx.
  - intros x Hx. rewrite Ha. apply (in_combine_sized f ps pbs x Hpbs Hx).
Qed.

(** The seeds of the adjoints against the tangents [dE]: the sum of the
    costs' tangents (the costs are scalars, all among the unique names
    [S]). *)
Lemma seed_dots (g : graph R) (S : list string) (dE : string -> list R) :
  Forall (fun c => In c (map fst (shape_env g)) /\ find_shape (shape_env g) c = []) (g_costs g) ->
  NoDup S -> (forall c, In c (g_costs g) -> In c S) ->
  rsum (map (fun r => dot R_ops (seed R_ops g r) (dE r)) S) =
  rsum (map (fun c => nth 0 (dE c) 0) (g_costs g)).
Proof.
  intros Hcosts Hnd HS. rewrite Forall_forall in Hcosts.
  transitivity (rsum (map (fun r => rsum (map (fun x =>
                  if String.eqb (fst x) r then dot R_ops (snd x) (dE r) else 0)
                  (map (fun c => (c, [1])) (g_costs g)))) S)).
  - apply rsum_ext. intros r Hr. rewrite seed_contribs, dot_contribs_to.
    + unfold zeros. simpl. rewrite dot_zeros_l. ring.
    + intros x Hx Hxr. apply in_map_iff in Hx. destruct Hx as [c [<- Hcin]].
      simpl in *. subst c. destruct (Hcosts r Hcin) as [_ Hr0].
      unfold zeros. rewrite repeat_length, Hr0. reflexivity.
  - rewrite sum_swap; [|exact Hnd|].
    + rewrite map_map. simpl. apply rsum_ext. intros c _. apply dot_one_l.
    + intros x Hx. apply in_map_iff in Hx. destruct Hx as [c [<- Hcin]]. exact (HS c Hcin).
Qed.

(** * Derivatives at R *)

Lemma scalar_of_nth (x : list R) : scalar_of R_ops x = nth 0 x 0.
Proof. destruct x; reflexivity. Qed.

Lemma fold_cost_derive (F : R -> env R) (d : string -> R) (t0 : R) (cs : list string) :
  forall (acc : R -> R) (dacc : R),
  is_derive acc t0 dacc ->
  (forall c, In c cs -> is_derive (fun t => nth 0 (find_val (F t) c) 0) t0 (d c)) ->
  is_derive (fun t => fold_left (fun a c => a + scalar_of R_ops (find_val (F t) c)) cs (acc t))
    t0 (dacc + rsum (map d cs)).
Proof.
  induction cs as [|c cs IH]; intros acc dacc Hacc Hd; simpl.
  - replace (dacc + 0) with dacc by ring. exact Hacc.
  - replace (dacc + (d c + rsum (map d cs))) with ((dacc + d c) + rsum (map d cs)) by ring.
    apply (IH (fun t => acc t + scalar_of R_ops (find_val (F t) c)));
      [|intros c' Hc'; apply Hd; now right].
    apply D_plus; [exact Hacc|].
    eapply is_derive_ext; [|apply (Hd c (or_introl eq_refl))].
    intros t. symmetry. apply scalar_of_nth.
Qed.

(** The total cost along any curve [F] of environments. *)
Lemma total_cost_derive (g : graph R) (F : R -> env R) (d : string -> R) (t0 : R) :
  (forall c, In c (g_costs g) -> is_derive (fun t => nth 0 (find_val (F t) c) 0) t0 (d c)) ->
  is_derive (fun t => total_cost R_ops g (F t)) t0 (rsum (map d (g_costs g))).
Proof.
  intros Hd. replace (rsum (map d (g_costs g))) with (0 + rsum (map d (g_costs g))) by ring.
  apply (fold_cost_derive F d t0 (g_costs g) (fun _ => 0) 0 (D_const 0 t0) Hd).
Qed.

(** The parents' values along a curve [E], entry by entry. *)
Lemma parents_derive (E : R -> env R) (dE : string -> list R) (ps : list string) (t0 : R) :
  (forall p, In p ps -> forall k,
     is_derive (fun t => nth k (find_val (E t) p) 0) t0 (nth k (dE p) 0)) ->
  forall i k, is_derive (fun t => nth k (nth i (map (find_val (E t)) ps) []) 0) t0
                (nth k (nth i (map dE ps) []) 0).
Proof.
  intros Hder i k. destruct (lt_dec i (length ps)) as [Hi|Hi].
  - rewrite (nth_map_in _ dE ps i [] ""%string) by exact Hi.
    eapply is_derive_ext; [|apply (Hder (nth i ps ""%string)); apply nth_In, Hi].
    intros t. simpl. now rewrite (nth_map_in _ (find_val (E t)) ps i [] ""%string) by exact Hi.
  - rewrite (nth_overflow (map dE ps)) by (rewrite map_length; lia).
    replace (nth k (@nil R) 0) with 0 by (destruct k; reflexivity).
    eapply is_derive_ext; [|apply (D_const 0 t0)].
    intros t. simpl. rewrite (nth_overflow (map (find_val (E t)) ps)) by (rewrite map_length; lia).
    destruct k; reflexivity.
Qed.

(** * Sizes of values and adjoints *)

(** Values of the sizes of [se]'s shapes, one per parent. *)
Lemma sized_map (se : senv) (f : string -> list R) (ps : list string) :
  (forall p, In p ps -> length (f p) = shape_size (find_shape se p)) ->
  sized (map f ps) (parent_shapes se ps).
Proof.
  unfold sized, parent_shapes. induction ps as [|p ps IH]; intros H; simpl; constructor.
  - apply H. now left.
  - apply IH. intros q Hq. apply H. now right.
Qed.

(** Forward evaluation gives every reference a value of its size, when
    every random node's draw has its size. *)
Lemma forward_nodes_sized (g : graph R) (d : env R) (ns : list (node R)) :
  forall (se : senv) (E : env R),
  wf_nodes se ns -> Forall (good_node g) ns ->
  Forall (fun n => match n with
                   | NDet _ _ _ => True
                   | NRand r _ _ => length (find_val d (ref_name r)) = shape_size (ref_shape r)
                   end) ns ->
  (forall r, In r (map fst se) -> length (find_val E r) = shape_size (find_shape (shape_env g) r)) ->
  forall r, In r (map fst se ++ map node_name ns) ->
  length (find_val (forward_nodes R_ops (shape_env g) d ns E) r) =
  shape_size (find_shape (shape_env g) r).
Proof.
  induction ns as [|n ns IH]; intros se E Hwf Hgood Hdraw HE r Hr; simpl in *.
  - rewrite app_nil_r in Hr. auto.
  - inversion Hwf as [|? ? ? Hfresh _ Hps _ Hwf']; subst.
    inversion Hgood as [|? ? (_ & Hshape & _ & Hout) Hgood']; subst.
    inversion Hdraw as [|? ? Hdn Hdraw']; subst.
    apply (IH ((node_name n, node_shape n) :: se)); [exact Hwf'|exact Hgood'|exact Hdraw'| |].
    + intros r' [Hr'|Hr']; simpl in Hr'.
      * subst r'. rewrite find_val_cons_eq, Hshape.
        destruct n as [r0 o ps|r0 o ps]; simpl.
        -- apply (dop_forward_length o (ref_shape r0)); [exact Hout|].
           apply sized_map. intros p Hp. apply HE.
           rewrite Forall_forall in Hps. apply Hps, Hp.
        -- exact Hdn.
      * rewrite find_val_cons_neq; [auto|]. intros ->. contradiction.
    + simpl. apply in_app_iff in Hr. destruct Hr as [Hr|[Hr|Hr]]; auto.
      * right. apply in_app_iff. now left.
      * right. apply in_app_iff. now right.
Qed.

(** The adjoints have the sizes of their references, when every random
    node's scores, times its multiplier, have the sizes of its parents. *)
Lemma naive_adj_est_length (g : graph R) (vals : env R) (mult : string -> R) :
  Forall (fun c => In c (map fst (shape_env g)) /\ find_shape (shape_env g) c = []) (g_costs g) ->
  (forall r, In r (map fst (shape_env g)) ->
     length (find_val vals r) = shape_size (find_shape (shape_env g) r)) ->
  forall ns, Forall (good_node g) ns ->
  Forall (fun n => match n with
                   | NDet _ _ _ => True
                   | NRand r0 o ps =>
                       Forall2 (fun pb s => length pb = shape_size s)
                         (map (vscale R_ops (mult (ref_name r0)))
                            (rop_score R_ops o (map (find_val vals) ps) (find_val vals (ref_name r0))))
                         (map (find_shape (shape_env g)) ps)
                   end) ns ->
  forall r, length (naive_adj_est R_ops g vals mult ns r) = shape_size (find_shape (shape_env g) r).
Proof.
  intros Hcosts Hvals. induction ns as [|n ns IH]; intros Hns Hrand r; simpl.
  - rewrite seed_contribs, contribs_to_length.
    + apply repeat_length.
    + intros x Hx Hxr. apply in_map_iff in Hx. destruct Hx as [c [<- Hc]]. simpl in *.
      subst c. rewrite Forall_forall in Hcosts. destruct (Hcosts r Hc) as [_ Hr].
      unfold zeros. rewrite repeat_length, Hr. reflexivity.
  - inversion Hns as [|? ? Hgood Hns']; subst.
    inversion Hrand as [|? ? Hn Hrand']; subst.
    pose proof Hgood as (Hname & Hshape & Hps & Hout).
    destruct n as [r0 o ps|r0 o ps];
      unfold node_name, node_shape, node_op, node_parents in Hname, Hshape, Hps, Hout;
      simpl in *; rewrite contribs_to_length; auto; intros x Hx Hxr; rewrite IH by assumption;
      rewrite <- Hxr; eapply (in_combine_sized (find_shape (shape_env g)) ps _ x); try exact Hx.
    + apply (dop_pullbacks_length o (ref_shape r0) (ref_shape r0)); [exact Hout| | |].
      * apply sized_map. intros p Hp. apply Hvals, Hps, Hp.
      * rewrite Hvals, Hshape by exact Hname. reflexivity.
      * rewrite IH by assumption. exact (f_equal shape_size Hshape).
    + exact Hn.
Qed.

Corollary naive_adj_length (g : graph R) (vals : env R) (C : R) :
  Forall (fun c => In c (map fst (shape_env g)) /\ find_shape (shape_env g) c = []) (g_costs g) ->
  (forall r, In r (map fst (shape_env g)) ->
     length (find_val vals r) = shape_size (find_shape (shape_env g) r)) ->
  forall ns, Forall (good_node g) ns ->
  Forall (fun n => match n with
                   | NDet _ _ _ => True
                   | NRand r0 o ps =>
                       Forall2 (fun pb s => length pb = shape_size s)
                         (map (vscale R_ops C)
                            (rop_score R_ops o (map (find_val vals) ps) (find_val vals (ref_name r0))))
                         (map (find_shape (shape_env g)) ps)
                   end) ns ->
  forall r, length (naive_adj R_ops g vals C ns r) = shape_size (find_shape (shape_env g) r).
Proof.
  intros Hc Hv ns Hns Hr r. rewrite <- naive_adj_est_const.
  exact (naive_adj_est_length g vals _ Hc Hv ns Hns Hr r).
Qed.

(** * Names, inputs and costs of well-formed graphs *)

Lemma parents_not_later {T : Type} (se : senv) (n : node T) (ns : list (node T)) (p : string) :
  wf_nodes se (n :: ns) -> In p (map fst se) -> ~ In p (map node_name (n :: ns)).
Proof.
  intros Hwf Hp Hin. apply in_map_iff in Hin. destruct Hin as [m [<- Hm]].
  pose proof (wf_nodes_fresh se _ Hwf) as HF. rewrite Forall_forall in HF.
  exact (HF m Hm Hp).
Qed.

Lemma name_not_later {T : Type} (se : senv) (n : node T) (ns : list (node T)) :
  wf_nodes se (n :: ns) -> ~ In (node_name n) (map node_name ns).
Proof.
  intros Hwf Hin. inversion Hwf as [|? ? ? _ _ _ _ Hwf']; subst.
  apply in_map_iff in Hin. destruct Hin as [m [Hm Hin]].
  pose proof (wf_nodes_fresh _ _ Hwf') as HF. rewrite Forall_forall in HF.
  apply (HF m Hin). rewrite Hm. now left.
Qed.

(** The inputs' values have their declared sizes (from [inputs_fit] or
    the first half of [wf_data]). *)
Lemma input_values_sized (g : graph R) (inputs : env R) :
  wf_graph g ->
  Forall (fun r => exists v, lookup inputs (ref_name r) = Some v /\
                             length v = shape_size (ref_shape r)) (g_inputs g) ->
  forall r, In r (map fst (input_senv g)) ->
  length (find_val inputs r) = shape_size (find_shape (shape_env g) r).
Proof.
  intros Hwf Hfit r Hr. rewrite input_senv_names in Hr. apply in_map_iff in Hr.
  destruct Hr as [x [<- Hx]]. rewrite Forall_forall in Hfit.
  destruct (Hfit x Hx) as [v [Hv Hlv]]. unfold find_val. rewrite Hv, Hlv.
  now rewrite (wf_graph_inputs g x Hwf Hx).
Qed.

(** Every cost is an input or a node. *)
Lemma costs_covered (g : graph R) :
  wf_graph g -> forall c, In c (g_costs g) ->
  In c (map fst (input_senv g)) \/ In c (map node_name (g_nodes g)).
Proof.
  intros Hwf c Hc. pose proof (wf_graph_costs g Hwf) as Hcosts. rewrite Forall_forall in Hcosts.
  destruct (Hcosts c Hc) as [Hcin _].
  rewrite shape_env_names, <- input_senv_names in Hcin. now apply in_app_iff.
Qed.

Lemma find_val_naive_backprop {T : Type} (K : scalar_ops T) (g : graph T) (inputs draws : env T)
    (p : string) :
  In p (g_params g) ->
  find_val (naive_backprop K g inputs draws) p =
  naive_adj K g (forward K g inputs draws) (total_cost K g (forward K g inputs draws))
    (g_nodes g) p.
Proof.
  intros Hp. unfold naive_backprop, find_val.
  now rewrite (lookup_map_key (fun p => naive_adj K g _ _ (g_nodes g) p)).
Qed.


(** * A deterministic node of the suffix induction

    Both proofs run the same induction over a suffix [NDet r0 o ps :: ns]
    of the nodes, along a curve [E] of the environment with tangents
    [dE].  At a deterministic first node, [dop_correct] gives the
    tangent [dv] of the node's value: the curve extended with that value
    ([det_curve]) and the tangents extended with [dv] satisfy the
    hypotheses of the induction one reference further, and the adjoints
    of [ns] against them are those of the suffix against [dE]. *)

Definition det_curve (se : senv) (r0 : reference) (o : dop R) (ps : list string)
    (E : R -> env R) (t : R) : env R :=
  (ref_name r0, dop_forward R_ops o (parent_shapes se ps) (map (find_val (E t)) ps)) :: E t.

Section DetStep.
Variable g : graph R.
Variables (draws vals : env R) (C t0 : R).
Hypothesis Hops : forall o : dop R, dop_correct o.

Local Notation se_g := (shape_env g).
Local Notation sz r := (shape_size (find_shape (shape_env g) r)).
Local Notation adj := (naive_adj R_ops g vals C).
Local Notation adjw m := (naive_adj_est R_ops g vals m).
Local Notation szf := (fun r => shape_size (find_shape (shape_env g) r)).

(** With the multiplier [mult z] at the node named [z] ([naive_adj_est]). *)
Lemma det_node_step_est (mult : string -> R) (se : senv) (r0 : reference) (o : dop R) (ps : list string)
    (ns : list (node R)) (E : R -> env R) (dE : string -> list R) :
  wf_nodes se (NDet r0 o ps :: ns) -> NoDup (map fst se) ->
  good_node g (NDet r0 o ps) ->
  op_domain_holds R_ops (ODet o) (map (find_val vals) ps) ->
  (forall r, length (adjw mult ns r) = sz r) ->
  curve_tangents szf (map fst se) E dE t0 ->
  forward_nodes R_ops se_g draws (NDet r0 o ps :: ns) (E t0) = vals ->
  exists dE' : string -> list R,
  curve_tangents szf (map fst ((ref_name r0, ref_shape r0) :: se)) (det_curve se_g r0 o ps E) dE' t0 /\
  rsum (map (fun r => dot R_ops (adjw mult ns r) (dE' r)) (map fst ((ref_name r0, ref_shape r0) :: se))) =
  rsum (map (fun r => dot R_ops (adjw mult (NDet r0 o ps :: ns) r) (dE r)) (map fst se)).
Proof.
  intros Hwf Hnd Hgood Hdom Hadjlen (Hlen & Hdlen & Hder) Hfw.
  pose proof (name_not_later se _ ns Hwf) as Hname_later.
  pose proof (wf_nodes_fresh se _ Hwf) as Hfresh. apply Forall_inv in Hfresh.
  assert (Hps : forall p, In p ps -> In p (map fst se)).
  { apply Forall_forall. inversion Hwf. assumption. }
  destruct Hgood as (_ & Hshape & _ & Hout).
  cbv [node_name node_shape node_ref node_parents node_op] in Hfresh, Hshape, Hout, Hname_later.
  set (ss := parent_shapes se_g ps) in *.
  set (xs := fun t => map (find_val (E t)) ps).
  set (dxs := map dE ps).
  assert (Hvals_ps : map (find_val vals) ps = xs t0).
  { unfold xs. apply map_ext_in. intros p Hp. rewrite <- Hfw.
    apply find_val_forward_nodes_notin. apply (parents_not_later se _ ns p Hwf), Hps, Hp. }
  assert (Hsized : forall t, sized (xs t) ss).
  { intros t. apply sized_map. intros p Hp. apply Hlen, Hps, Hp. }
  assert (Hdsized : sized dxs ss).
  { apply sized_map. intros p Hp. apply Hdlen, Hps, Hp. }
  assert (Hxder : forall i k, is_derive (fun t => nth k (nth i (xs t) []) 0) t0
                                       (nth k (nth i dxs []) 0)).
  { apply parents_derive. intros p Hp. apply Hder, Hps, Hp. }
  assert (Hdom0 : op_domain_holds R_ops (ODet o) (xs t0)) by (rewrite <- Hvals_ps; exact Hdom).
  destruct (Hops o ss (ref_shape r0) (ref_shape r0) Hout xs dxs t0 Hsized Hdsized Hxder Hdom0)
    as (dv & Hdvlen & Hdvder & Hdual).
  exists (fun r => if String.eqb r (ref_name r0) then dv else dE r). split.
  - apply curve_tangents_cons; [exact Hfresh|split; [|split]; assumption| |rewrite Hshape; exact Hdvlen|exact Hdvder].
    intros t. rewrite Hshape. apply (dop_forward_length o (ref_shape r0)); [exact Hout|apply Hsized].
  - rewrite (sum_dots_cons (map fst se)) by exact Hfresh.
    rewrite Hdual by (rewrite Hadjlen; exact (f_equal shape_size Hshape)).
    assert (Hv0 : find_val vals (ref_name r0) = dop_forward R_ops o ss (xs t0)).
    { rewrite <- Hfw. simpl. rewrite find_val_forward_nodes_notin by exact Hname_later.
      apply find_val_cons_eq. }
    simpl. rewrite Hvals_ps, Hv0. fold ss.
    change (node_name (NDet r0 o ps)) with (ref_name r0).
    set (pbs := dop_pullbacks R_ops o ss (xs t0) (dop_forward R_ops o ss (xs t0)) (adjw mult ns (ref_name r0))).
    assert (Hpbs : Forall2 (fun pb s => length pb = shape_size s) pbs (map (find_shape se_g) ps)).
    { apply (dop_pullbacks_length o (ref_shape r0) (ref_shape r0)); [exact Hout|apply Hsized| |].
      - rewrite (dop_forward_length o (ref_shape r0) (ref_shape r0)); [reflexivity|exact Hout|apply Hsized].
      - rewrite Hadjlen. exact (f_equal shape_size Hshape). }
    rewrite (sum_contribs_combine (map fst se) ps pbs (find_shape se_g) (adjw mult ns) dE Hnd Hps Hpbs)
      by apply Hadjlen.
    unfold dxs. ring.
Qed.

(** With one cost [C] ([naive_adj]). *)
Corollary det_node_step (se : senv) (r0 : reference) (o : dop R) (ps : list string)
    (ns : list (node R)) (E : R -> env R) (dE : string -> list R) :
  wf_nodes se (NDet r0 o ps :: ns) -> NoDup (map fst se) ->
  good_node g (NDet r0 o ps) ->
  op_domain_holds R_ops (ODet o) (map (find_val vals) ps) ->
  (forall r, length (adj ns r) = sz r) ->
  curve_tangents szf (map fst se) E dE t0 ->
  forward_nodes R_ops se_g draws (NDet r0 o ps :: ns) (E t0) = vals ->
  exists dE' : string -> list R,
  curve_tangents szf (map fst ((ref_name r0, ref_shape r0) :: se)) (det_curve se_g r0 o ps E) dE' t0 /\
  rsum (map (fun r => dot R_ops (adj ns r) (dE' r)) (map fst ((ref_name r0, ref_shape r0) :: se))) =
  rsum (map (fun r => dot R_ops (adj (NDet r0 o ps :: ns) r) (dE r)) (map fst se)).
Proof.
  intros Hwf Hnd Hgood Hdom Hadjlen HE Hfw.
  assert (Hm : forall ns' dE0 l, map (fun r => dot R_ops (adjw (fun _ => C) ns' r) (dE0 r)) l
                                 = map (fun r => dot R_ops (adj ns' r) (dE0 r)) l)
    by (intros ns' dE0 l; apply map_ext; intros r; now rewrite naive_adj_est_const).
  destruct (det_node_step_est (fun _ => C) se r0 o ps ns E dE Hwf Hnd Hgood Hdom) as (dE' & HE' & Heq);
    [intros r; rewrite naive_adj_est_const; apply Hadjlen|exact HE|exact Hfw|].
  exists dE'. split; [exact HE'|]. now rewrite <- (Hm ns dE'), <- (Hm (NDet r0 o ps :: ns) dE).
Qed.

End DetStep.

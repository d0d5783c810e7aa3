(** * Deterministic backprop is the gradient

    For a graph accepted by the checker whose nodes are all deterministic,
    with input values of the declared sizes, and every operator inside its
    domain at the forward values: for every parameter [p] and entry [j] of
    [p], the derivative of the total cost with respect to entry [j] of [p]
    (all other inputs fixed) is entry [j] of [p]'s backprop adjoint.

    [backprop_correct_of_ops] proves it from the per-operator statement
    [dop_correct] (OpsSpec.v) for every operator; [backprop_correct] is
    the unconditional theorem, from [OpsCorrect.all_dops_correct].

    Proof: along any curve of the environment whose entries are
    differentiable with derivatives [dE], the derivative of the cost of
    running a suffix [ns] of the nodes is [sum_r <naive_adj ns r, dE r>]
    over the references [r] defined before [ns] ([suffix_derive], by
    induction on [ns], with [dop_correct] at the first node of [ns]).  At
    the whole node list, the curve that moves entry [j] of [p] has [dE]
    zero except the unit vector at [p], which leaves entry [j] of
    [naive_adj (g_nodes g) p], and [backprop_eq_naive] (BackpropNaive.v)
    turns it into the backprop adjoint. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Bool Lia.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed Backprop OpsSpec.
From Certigrad Require Import GraphFacts BackpropNaive WellFormedSound OpsCorrect.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * Statement vocabulary *)

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

Definition node_is_det {T : Type} (n : node T) : bool :=
  match n with NDet _ _ _ => true | NRand _ _ _ => false end.

(** Every node of [g] is deterministic. *)
Definition deterministic {T : Type} (g : graph T) : Prop :=
  Forall (fun n => node_is_det n = true) (g_nodes g).

(** Every node's parents, at the forward values, are in its operator's
    domain. *)
Definition domains_hold (g : graph R) (inputs draws : env R) : Prop :=
  Forall (fun n => op_domain_holds R_ops (node_op n)
                     (map (find_val (forward R_ops g inputs draws)) (node_parents n)))
         (g_nodes g).

(** * Lists, entries and dot products at R *)

Definition rsum (l : list R) : R := fold_right Rplus 0 l.

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
  - destruct (String.eqb p r); reflexivity.
  - destruct (String.eqb_spec p k) as [->|Hpk]; simpl.
    + destruct (String.eqb_spec r k) as [->|Hrk].
      * now rewrite String.eqb_refl.
      * destruct (String.eqb_spec k r); [congruence|reflexivity].
    + destruct (String.eqb_spec r k) as [->|Hrk].
      * destruct (String.eqb_spec p k); [congruence|reflexivity].
      * exact IH.
Qed.

Lemma set_entry_same (e : env R) (p : string) (j : nat) :
  set_entry e p j (nth j (find_val e p) 0) = e.
Proof.
  unfold find_val. induction e as [|[k v] e IH]; simpl; [reflexivity|].
  destruct (String.eqb_spec p k) as [->|Hpk].
  - now rewrite replace_nth_nth.
  - now rewrite IH.
Qed.

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

(** * Derivatives at R *)

Lemma is_derive_constR (c t0 : R) : is_derive (fun _ => c) t0 0.
Proof. exact (is_derive_const (K := R_AbsRing) (V := R_NormedModule) c t0). Qed.

Lemma is_derive_idR (t0 : R) : is_derive (fun t => t) t0 1.
Proof. exact (is_derive_id (K := R_AbsRing) t0). Qed.

Lemma is_derive_plusR (f h : R -> R) (t0 df dh : R) :
  is_derive f t0 df -> is_derive h t0 dh -> is_derive (fun t => f t + h t) t0 (df + dh).
Proof. exact (is_derive_plus (K := R_AbsRing) (V := R_NormedModule) f h t0 df dh). Qed.

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
    apply is_derive_plusR; [exact Hacc|].
    eapply is_derive_ext; [|apply (Hd c (or_introl eq_refl))].
    intros t. symmetry. apply scalar_of_nth.
Qed.

Lemma total_cost_derive (g : graph R) (F : R -> env R) (d : string -> R) (t0 : R) :
  (forall c, In c (g_costs g) -> is_derive (fun t => nth 0 (find_val (F t) c) 0) t0 (d c)) ->
  is_derive (fun t => total_cost R_ops g (F t)) t0 (rsum (map d (g_costs g))).
Proof.
  intros Hd. replace (rsum (map d (g_costs g))) with (0 + rsum (map d (g_costs g))) by ring.
  apply (fold_cost_derive F d t0 (g_costs g) (fun _ => 0) 0 (is_derive_constR 0 t0) Hd).
Qed.

Lemma wf_nodes_cons_inv {T : Type} (se : senv) (n : node T) (ns : list (node T)) :
  wf_nodes se (n :: ns) ->
  ~ In (node_name n) (map fst se) /\
  shape_valid (node_shape n) = true /\
  Forall (fun p => In p (map fst se)) (node_parents n) /\
  op_out_shape (node_op n) (node_shape n) (parent_shapes se (node_parents n))
    = Some (node_shape n) /\
  wf_nodes ((node_name n, node_shape n) :: se) ns.
Proof. intros H. inversion H; subst. repeat split; assumption. Qed.

(** * The suffix induction *)

Section Suffix.
Variable g : graph R.
Variable draws : env R.

Local Notation se_g := (shape_env g).
Local Notation sz r := (shape_size (find_shape (shape_env g) r)).

Hypothesis Hcosts :
  Forall (fun c => In c (map fst se_g) /\ find_shape se_g c = []) (g_costs g).

Definition det_good (n : node R) : Prop := node_is_det n = true /\ good_node g n.

Lemma sized_find_vals (E : env R) (ps : list string) :
  (forall p, In p ps -> length (find_val E p) = sz p) ->
  sized (map (find_val E) ps) (parent_shapes se_g ps).
Proof.
  unfold sized, parent_shapes. induction ps as [|p ps IH]; intros H; simpl; constructor.
  - apply H. now left.
  - apply IH. intros q Hq. apply H. now right.
Qed.

(** Forward evaluation gives every reference a value of its size. *)
Lemma forward_nodes_sized (ns : list (node R)) :
  forall (se : senv) (E : env R),
  wf_nodes se ns -> Forall det_good ns ->
  (forall r, In r (map fst se) -> length (find_val E r) = sz r) ->
  forall r, In r (map fst se ++ map node_name ns) ->
  length (find_val (forward_nodes R_ops se_g draws ns E) r) = sz r.
Proof.
  induction ns as [|n ns IH]; intros se E Hwf Hns HE r Hr; simpl in *.
  - rewrite app_nil_r in Hr. auto.
  - inversion Hwf as [|? ? ? Hfresh _ Hps _ Hwf']; subst.
    inversion Hns as [|? ? [Hdet (_ & Hshape & _ & Hout)] Hns']; subst.
    apply (IH ((node_name n, node_shape n) :: se)); [exact Hwf'|exact Hns'| |].
    + intros r' [Hr'|Hr']; simpl in Hr'.
      * subst r'. rewrite find_val_cons_eq, Hshape.
        destruct n as [r0 o ps|]; [|discriminate]. simpl.
        apply (dop_forward_length o (ref_shape r0)); [exact Hout|].
        apply sized_find_vals. intros p Hp. apply HE. rewrite Forall_forall in Hps. auto.
      * rewrite find_val_cons_neq; [auto|]. intros ->. contradiction.
    + simpl. apply in_app_iff in Hr.
      destruct Hr as [Hr|[Hr|Hr]]; [right; apply in_app_iff; now left|now left|].
      right. apply in_app_iff. now right.
Qed.

Variable vals : env R.
Variable C t0 : R.

Hypothesis Hvals : forall r, In r (map fst se_g) -> length (find_val vals r) = sz r.

Local Notation adj := (naive_adj R_ops g vals C).

Lemma naive_adj_length (ns : list (node R)) :
  Forall det_good ns -> forall r, length (adj ns r) = sz r.
Proof.
  induction ns as [|n ns IH]; intros Hns r; simpl.
  - rewrite seed_contribs, contribs_to_length.
    + apply repeat_length.
    + intros x Hx Hxr. apply in_map_iff in Hx. destruct Hx as [c [<- Hc]]. simpl in *.
      subst c. rewrite Forall_forall in Hcosts. destruct (Hcosts r Hc) as [_ Hr].
      unfold zeros. rewrite repeat_length, Hr. reflexivity.
  - inversion Hns as [|? ? [Hdet (Hname & Hshape & Hps & Hout)] Hns']; subst.
    destruct n as [r0 o ps|]; [|discriminate]. cbv [node_name node_shape node_ref node_parents node_op node_is_det] in Hname, Hshape, Hout, Hdet, Hps.
    rewrite contribs_to_length; [auto|].
    intros x Hx Hxr. rewrite IH by assumption. rewrite <- Hxr.
    refine (in_combine_sized (find_shape se_g) ps _ x _ Hx).
    apply (dop_pullbacks_length o (ref_shape r0) (ref_shape r0)); [exact Hout| | |].
    + apply sized_find_vals. intros p Hp. apply Hvals, Hps, Hp.
    + rewrite Hvals, Hshape by exact Hname. reflexivity.
    + rewrite IH by assumption. exact (f_equal shape_size Hshape).
Qed.

Hypothesis Hops : forall o, dop_correct o.

Lemma suffix_derive (ns : list (node R)) :
  forall (se : senv) (E : R -> env R) (dE : string -> list R),
  wf_nodes se ns ->
  NoDup (map fst se) ->
  Forall (fun n => det_good n /\
            op_domain_holds R_ops (node_op n) (map (find_val vals) (node_parents n))) ns ->
  (forall c, In c (g_costs g) -> In c (map fst se) \/ In c (map node_name ns)) ->
  (forall r, In r (map fst se) -> forall t, length (find_val (E t) r) = sz r) ->
  (forall r, In r (map fst se) -> length (dE r) = sz r) ->
  (forall r, In r (map fst se) -> forall k,
      is_derive (fun t => nth k (find_val (E t) r) 0) t0 (nth k (dE r) 0)) ->
  forward_nodes R_ops se_g draws ns (E t0) = vals ->
  is_derive (fun t => total_cost R_ops g (forward_nodes R_ops se_g draws ns (E t))) t0
    (rsum (map (fun r => dot R_ops (adj ns r) (dE r)) (map fst se))).
Proof.
  induction ns as [|n ns IH]; intros se E dE Hwf Hnd Hns Hc Hlen Hdlen Hder Hfw.
  - (* no node left: the cost itself *)
    cbn [forward_nodes].
    replace (rsum (map (fun r => dot R_ops (adj [] r) (dE r)) (map fst se)))
      with (rsum (map (fun c => nth 0 (dE c) 0) (g_costs g))).
    + apply total_cost_derive. intros c Hcin. apply Hder.
      destruct (Hc c Hcin) as [H|[]]. exact H.
    + rewrite Forall_forall in Hcosts.
      transitivity (rsum (map (fun r => rsum (map (fun x =>
                      if String.eqb (fst x) r then dot R_ops (snd x) (dE r) else 0)
                      (map (fun c => (c, [1])) (g_costs g)))) (map fst se))).
      * rewrite sum_swap; [|exact Hnd|].
        -- rewrite map_map. simpl. apply rsum_ext. intros c _. symmetry. apply dot_one_l.
        -- intros x Hx. apply in_map_iff in Hx. destruct Hx as [c [<- Hcin]]. simpl.
           destruct (Hc c Hcin) as [H|[]]. exact H.
      * apply rsum_ext. intros r Hr. simpl. rewrite seed_contribs.
        rewrite dot_contribs_to.
        -- unfold zeros. simpl. rewrite dot_zeros_l. ring.
        -- intros x Hx Hxr. apply in_map_iff in Hx. destruct Hx as [c [<- Hcin]].
           simpl in *. subst c. destruct (Hcosts r Hcin) as [_ Hr0].
           unfold zeros. rewrite repeat_length, Hr0. reflexivity.
  - (* the first node [n], deterministic *)
    pose proof (wf_nodes_cons_inv _ _ _ Hwf) as (Hfresh & _ & Hps & _ & Hwf').
    pose proof (Forall_inv Hns) as [[Hdet Hgood] Hdom].
    pose proof (Forall_inv_tail Hns) as Hns'.
    destruct Hgood as (Hname & Hshape & Hpsg & Hout).
    destruct n as [r0 o ps|]; [|discriminate].
    cbv [node_name node_shape node_ref node_parents node_op] in Hfresh, Hps, Hwf', Hname, Hshape, Hpsg, Hout, Hdom, Hfw.
    rewrite Forall_forall in Hps.
    set (ss := parent_shapes se_g ps).
    set (xs := fun t => map (find_val (E t)) ps).
    set (dxs := map dE ps).
    (* the names of the remaining nodes are not among the earlier ones *)
    assert (Hfresh_all : forall m, In m (NDet r0 o ps :: ns) -> ~ In (node_name m) (map fst se)).
    { intros m Hm. pose proof (wf_nodes_fresh se _ Hwf) as HF. rewrite Forall_forall in HF.
      now apply HF. }
    assert (Hnot_later : forall k, In k (map fst se) ->
              ~ In k (map node_name (NDet r0 o ps :: ns))).
    { intros k Hk Hin. apply in_map_iff in Hin. destruct Hin as [m [<- Hm]].
      exact (Hfresh_all m Hm Hk). }
    assert (Hname_later : ~ In (ref_name r0) (map node_name ns)).
    { intros Hin. apply in_map_iff in Hin. destruct Hin as [m [Hm Hin]].
      pose proof (wf_nodes_fresh _ _ Hwf') as HF. rewrite Forall_forall in HF.
      apply (HF m Hin). rewrite Hm. now left. }
    assert (Hvals_ps : map (find_val vals) ps = xs t0).
    { unfold xs. apply map_ext_in. intros p Hp. rewrite <- Hfw.
      apply find_val_forward_nodes_notin. apply Hnot_later, Hps, Hp. }
    assert (Hsized : forall t, sized (xs t) ss).
    { intros t. apply sized_find_vals. intros p Hp. apply Hlen, Hps, Hp. }
    assert (Hdsized : sized dxs ss).
    { unfold sized, dxs, ss, parent_shapes. clear -Hps Hdlen.
      induction ps as [|p ps IHps]; simpl; constructor.
      - apply Hdlen, Hps. now left.
      - apply IHps. intros q Hq. apply Hps. now right. }
    assert (Hxder : forall i k, is_derive (fun t => nth k (nth i (xs t) []) 0) t0
                                         (nth k (nth i dxs []) 0)).
    { intros i k. unfold xs, dxs. destruct (lt_dec i (length ps)) as [Hi|Hi].
      - rewrite (nth_map_in _ dE ps i [] ""%string) by exact Hi.
        eapply is_derive_ext; [|apply (Hder (nth i ps ""%string)); apply Hps, nth_In, Hi].
        intros t. simpl. now rewrite (nth_map_in _ (find_val (E t)) ps i [] ""%string) by exact Hi.
      - rewrite (nth_overflow (map dE ps)) by (rewrite map_length; lia).
        replace (nth k [] 0) with 0 by (destruct k; reflexivity).
        eapply is_derive_ext; [|apply (is_derive_constR 0 t0)].
        intros t. simpl. rewrite (nth_overflow (map (find_val (E t)) ps)) by (rewrite map_length; lia).
        destruct k; reflexivity. }
    assert (Hdom0 : op_domain_holds R_ops (ODet o) (xs t0)) by (rewrite <- Hvals_ps; exact Hdom).
    destruct (Hops o ss (ref_shape r0) (ref_shape r0) Hout xs dxs t0 Hsized Hdsized Hxder Hdom0)
      as (dv & Hdvlen & Hdvder & Hdual).
    set (E' := fun t => (ref_name r0, dop_forward R_ops o ss (xs t)) :: E t).
    set (dE' := fun r => if String.eqb r (ref_name r0) then dv else dE r).
    assert (HdE'_old : forall r, In r (map fst se) -> dE' r = dE r).
    { intros r Hr. unfold dE'. destruct (String.eqb_spec r (ref_name r0)) as [->|]; [|reflexivity].
      exfalso. exact (Hfresh Hr). }
    assert (HIH := IH ((ref_name r0, ref_shape r0) :: se) E' dE' Hwf').
    assert (Hdg' : Forall det_good ns)
      by (eapply Forall_impl; [|exact Hns']; intros m [Hm _]; exact Hm).
    pose proof (naive_adj_length ns Hdg') as Hadjlen.
    assert (Hgoal_eq :
      rsum (map (fun r => dot R_ops (adj ns r) (dE' r)) (map fst ((ref_name r0, ref_shape r0) :: se)))
      = rsum (map (fun r => dot R_ops (adj (NDet r0 o ps :: ns) r) (dE r)) (map fst se))).
    { simpl. unfold dE' at 1. rewrite String.eqb_refl.
      rewrite (rsum_ext (fun r => dot R_ops (adj ns r) (dE' r))
                        (fun r => dot R_ops (adj ns r) (dE r)))
        by (intros r Hr; now rewrite HdE'_old).
      rewrite Hdual by (rewrite Hadjlen; exact (f_equal shape_size Hshape)).
      (* the contributions of the node, at the forward values *)
      assert (Hv0 : find_val vals (ref_name r0) = dop_forward R_ops o ss (xs t0)).
      { rewrite <- Hfw. simpl. rewrite find_val_forward_nodes_notin by exact Hname_later.
        apply find_val_cons_eq. }
      simpl. rewrite Hvals_ps, Hv0. fold ss.
      change (node_name (NDet r0 o ps)) with (ref_name r0).
      set (gn := adj ns (ref_name r0)).
      set (pbs := dop_pullbacks R_ops o ss (xs t0) (dop_forward R_ops o ss (xs t0)) gn).
      assert (Hpbs : Forall2 (fun pb s => length pb = shape_size s) pbs (map (find_shape se_g) ps)).
      { apply (dop_pullbacks_length o (ref_shape r0) (ref_shape r0)); [exact Hout|apply Hsized| |].
        - rewrite (dop_forward_length o (ref_shape r0) (ref_shape r0)); [reflexivity|exact Hout|apply Hsized].
        - unfold gn. rewrite Hadjlen. exact (f_equal shape_size Hshape). }
      rewrite (sum_contribs (map fst se) (combine ps pbs) (adj ns) dE Hnd).
      + rewrite pair_dots_combine. unfold dxs. ring.
      + intros x Hx. destruct x as [p pb]. apply in_combine_l in Hx. apply Hps, Hx.
      + intros x Hx. rewrite Hadjlen. apply (in_combine_sized _ ps pbs x Hpbs Hx). }
    rewrite <- Hgoal_eq. apply HIH.
    + simpl. constructor; assumption.
    + exact Hns'.
    + intros c Hcin. destruct (Hc c Hcin) as [H|[H|H]]; simpl in *; auto.
    + intros r [Hr|Hr] t; simpl in Hr.
      * subst r. unfold E'. rewrite find_val_cons_eq, Hshape.
        apply (dop_forward_length o (ref_shape r0)); [exact Hout|apply Hsized].
      * unfold E'. rewrite find_val_cons_neq by (intros ->; contradiction). auto.
    + intros r [Hr|Hr]; simpl in Hr.
      * subst r. unfold dE'. rewrite String.eqb_refl, Hshape. exact Hdvlen.
      * rewrite HdE'_old by exact Hr. auto.
    + intros r [Hr|Hr] k; simpl in Hr.
      * subst r. unfold dE'. rewrite String.eqb_refl.
        eapply is_derive_ext; [|apply (Hdvder k)].
        intros t. unfold E'. now rewrite find_val_cons_eq.
      * rewrite HdE'_old by exact Hr.
        eapply is_derive_ext; [|apply (Hder r Hr k)].
        intros t. unfold E'. rewrite find_val_cons_neq by (intros ->; contradiction).
        reflexivity.
    + exact Hfw.
Qed.

End Suffix.

(** * The theorem *)

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

Theorem backprop_correct_of_ops :
  (forall o : dop R, dop_correct o) ->
  forall (g : graph R) (inputs draws : env R),
  check_graph g = CheckOk ->
  deterministic g ->
  wf_data g inputs draws ->
  domains_hold g inputs draws ->
  forall (p : string) (j : nat),
  In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  is_derive (fun t => total_cost R_ops g (forward R_ops g (set_entry inputs p j t) draws))
    (nth j (find_val inputs p) 0)
    (nth j (find_val (backprop R_ops g inputs draws) p) 0).
Proof.
  intros Hops g inputs draws Hchk Hdet Hdata Hdom p j Hp Hj.
  pose proof (check_graph_sound g Hchk) as Hwf.
  pose proof (wf_graph_nodup g Hwf) as Hndg.
  pose proof (wf_graph_good g Hwf) as Hgood.
  pose proof (wf_graph_costs g Hwf) as Hcosts.
  pose proof Hwf as (Hndin & _ & _ & Hpin & Hwfn & _ & _).
  rewrite backprop_eq_naive_wf by exact Hwf.
  rewrite find_val_naive_backprop by exact Hp.
  set (vals := forward R_ops g inputs draws).
  set (C := total_cost R_ops g vals).
  set (t0 := nth j (find_val inputs p) 0).
  assert (HpS : In p (map fst (input_senv g))) by (rewrite input_senv_names; now apply Hpin).
  assert (Hdg : Forall (det_good g) (g_nodes g)).
  { unfold det_good, deterministic in *. rewrite Forall_forall in Hdet, Hgood |- *.
    intros n Hn. split; auto. }
  (* the input values have their sizes *)
  assert (Hin_len : forall r, In r (map fst (input_senv g)) -> length (find_val inputs r) = shape_size (find_shape (shape_env g) r)).
  { intros r Hr. rewrite input_senv_names in Hr. apply in_map_iff in Hr.
    destruct Hr as [x [<- Hx]]. destruct Hdata as [Hdv _]. rewrite Forall_forall in Hdv.
    destruct (Hdv x Hx) as [v [Hv Hlv]]. unfold find_val. rewrite Hv, Hlv.
    now rewrite (wf_graph_inputs g x Hwf Hx). }
  assert (Hvals : forall r, In r (map fst (shape_env g)) -> length (find_val vals r) = shape_size (find_shape (shape_env g) r)).
  { intros r Hr. unfold vals, forward.
    apply (forward_nodes_sized g draws (g_nodes g) (input_senv g)); auto.
    rewrite input_senv_names, <- shape_env_names. exact Hr. }
  set (dE := fun r => if String.eqb p r then replace_nth j 1 (repeat 0 (shape_size (find_shape (shape_env g) r)))
                      else repeat 0 (shape_size (find_shape (shape_env g) r))).
  assert (Hsuf := suffix_derive g draws Hcosts vals C t0 Hvals Hops (g_nodes g) (input_senv g)
                    (fun t => set_entry inputs p j t) dE Hwfn).
  replace (nth j (naive_adj R_ops g vals C (g_nodes g) p) 0)
    with (rsum (map (fun r => dot R_ops (naive_adj R_ops g vals C (g_nodes g) r) (dE r))
                    (map fst (input_senv g)))).
  - apply Hsuf.
    + rewrite input_senv_names. exact Hndin.
    + unfold domains_hold in Hdom. rewrite Forall_forall in Hdg, Hdom |- *.
      intros n Hn. split; auto.
    + intros c Hc. rewrite Forall_forall in Hcosts. destruct (Hcosts c Hc) as [Hcin _].
      rewrite shape_env_names, <- input_senv_names in Hcin. now apply in_app_iff.
    + intros r Hr t. rewrite find_val_set_entry.
      destruct (String.eqb_spec p r) as [<-|]; [|auto].
      rewrite replace_nth_length. auto.
    + intros r Hr. unfold dE. destruct (String.eqb p r).
      * rewrite replace_nth_length. apply repeat_length.
      * apply repeat_length.
    + intros r Hr k. unfold dE.
      destruct (String.eqb_spec p r) as [<-|Hpr].
      * assert (Hjp : (j < length (find_val inputs p))%nat) by (rewrite Hin_len; auto).
        destruct (Nat.eq_dec k j) as [->|Hkj].
        -- rewrite nth_replace_nth_eq by (rewrite repeat_length; exact Hj).
           eapply is_derive_ext; [|apply is_derive_idR].
           intros t. simpl. rewrite find_val_set_entry, String.eqb_refl.
           symmetry. now apply nth_replace_nth_eq.
        -- rewrite nth_replace_nth_neq, nth_repeat by exact Hkj.
           eapply is_derive_ext; [|apply (is_derive_constR (nth k (find_val inputs p) 0))].
           intros t. simpl. rewrite find_val_set_entry, String.eqb_refl.
           symmetry. now apply nth_replace_nth_neq.
      * rewrite nth_repeat.
        eapply is_derive_ext; [|apply (is_derive_constR (nth k (find_val inputs r) 0))].
        intros t. simpl. rewrite find_val_set_entry.
        destruct (String.eqb_spec p r); [contradiction|reflexivity].
    + unfold t0. rewrite set_entry_same. reflexivity.
  - rewrite (rsum_ext _ (fun r => if String.eqb p r
                                  then nth j (naive_adj R_ops g vals C (g_nodes g) r) 0 else 0)).
    + apply sum_single; [|exact HpS]. rewrite input_senv_names. exact Hndin.
    + intros r Hr. unfold dE. destruct (String.eqb_spec p r) as [<-|].
      * apply dot_unit. exact Hj.
      * apply dot_zeros_r.
Qed.

(** The headline: deterministic backprop is the gradient. *)
Theorem backprop_correct :
  forall (g : graph R) (inputs draws : env R),
  check_graph g = CheckOk ->
  deterministic g ->
  wf_data g inputs draws ->
  domains_hold g inputs draws ->
  forall (p : string) (j : nat),
  In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  is_derive (fun t => total_cost R_ops g (forward R_ops g (set_entry inputs p j t) draws))
    (nth j (find_val inputs p) 0)
    (nth j (find_val (backprop R_ops g inputs draws) p) 0).
Proof. exact (backprop_correct_of_ops all_dops_correct). Qed.

(** Soundness of the checkers of WellFormed.v: a graph that [check_graph]
    accepts satisfies [wf_graph] ([check_graph_sound]), and data that
    [check_data] accept satisfy [wf_data] ([check_data_sound]).  Both hold
    over any scalar type. *)

From Coq Require Import List Arith Bool String.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed.
Import ListNotations.

Lemma mem_true (k : string) (l : list string) : mem k l = true <-> In k l.
Proof.
  unfold mem. rewrite existsb_exists. split.
  - intros [x [Hx Hk]]. apply String.eqb_eq in Hk. now subst.
  - intros Hk. exists k. split; [exact Hk|apply String.eqb_refl].
Qed.

Lemma mem_false (k : string) (l : list string) : mem k l = false <-> ~ In k l.
Proof.
  rewrite <- mem_true. destruct (mem k l); split; congruence.
Qed.

Lemma check_then_ok (c : check_result) (k : unit -> check_result) :
  check_then c k = CheckOk -> c = CheckOk /\ k tt = CheckOk.
Proof. destruct c; simpl; [auto|discriminate]. Qed.

Lemma shape_eqb_true (s t : shape) : shape_eqb s t = true -> s = t.
Proof. unfold shape_eqb. destruct (list_eq_dec Nat.eq_dec s t); congruence. Qed.

Section Sound.
Context {T : Type}.

Lemma check_inputs_sound (seen : list string) (ins : list reference) :
  check_inputs seen ins = CheckOk ->
  NoDup (map ref_name ins) /\
  Forall (fun r => ~ In (ref_name r) seen) ins /\
  Forall (fun r => shape_valid (ref_shape r) = true) ins.
Proof.
  revert seen; induction ins as [|r ins IH]; intros seen H; simpl in *.
  - repeat split; constructor.
  - destruct (mem (ref_name r) seen) eqn:Hm; [discriminate|].
    destruct (shape_valid (ref_shape r)) eqn:Hs; simpl in H; [|discriminate].
    destruct (IH _ H) as (Hnd & Hseen & Hv).
    apply mem_false in Hm.
    repeat split.
    + constructor; [|exact Hnd].
      intros Hin. apply in_map_iff in Hin. destruct Hin as [r' [Hr' Hin]].
      rewrite Forall_forall in Hseen. apply (Hseen r' Hin). rewrite Hr'. now left.
    + constructor; [exact Hm|].
      eapply Forall_impl; [|exact Hseen]. simpl. intros r' Hr' Hin. apply Hr'. now right.
    + constructor; assumption.
Qed.

Lemma check_params_sound (inputs seen ps : list string) :
  check_params inputs seen ps = CheckOk ->
  NoDup ps /\ Forall (fun p => ~ In p seen) ps /\ incl ps inputs.
Proof.
  revert seen; induction ps as [|p ps IH]; intros seen H; simpl in *.
  - repeat split; try constructor. intros x [].
  - destruct (mem p inputs) eqn:Hi; simpl in H; [|discriminate].
    destruct (mem p seen) eqn:Hm; [discriminate|].
    destruct (IH _ H) as (Hnd & Hseen & Hincl).
    apply mem_true in Hi. apply mem_false in Hm.
    repeat split.
    + constructor; [|exact Hnd].
      intros Hin. rewrite Forall_forall in Hseen. apply (Hseen p Hin). now left.
    + constructor; [exact Hm|].
      eapply Forall_impl; [|exact Hseen]. simpl. intros q Hq Hin. apply Hq. now right.
    + intros q [<-|Hq]; auto.
Qed.

Lemma first_undefined_none (se : senv) (ps : list string) :
  first_undefined se ps = None -> Forall (fun p => In p (map fst se)) ps.
Proof.
  induction ps as [|p ps IH]; simpl; intros H; [constructor|].
  destruct (mem p (map fst se)) eqn:Hm; [|discriminate].
  constructor; [now apply mem_true|auto].
Qed.

Lemma check_nodes_sound (se : senv) (ns : list (node T)) :
  check_nodes se ns = CheckOk -> wf_nodes se ns.
Proof.
  revert se; induction ns as [|n ns IH]; intros se H; simpl in *; [constructor|].
  apply check_then_ok in H. destruct H as [Hn Hns].
  unfold check_node in Hn.
  destruct (mem (node_name n) (map fst se)) eqn:Hm; [discriminate|].
  destruct (shape_valid (node_shape n)) eqn:Hs; simpl in Hn; [|discriminate].
  destruct (first_undefined se (node_parents n)) eqn:Hu; [discriminate|].
  destruct (op_out_shape_res (node_op n) (node_shape n) (parent_shapes se (node_parents n)))
    eqn:Ho; [|discriminate].
  destruct (shape_eqb a (node_shape n)) eqn:He; [|discriminate].
  apply shape_eqb_true in He. subst a.
  constructor.
  - now apply mem_false.
  - exact Hs.
  - now apply first_undefined_none.
  - unfold op_out_shape. now rewrite Ho.
  - apply IH, Hns.
Qed.

Lemma check_costs_sound (se : senv) (seen cs : list string) :
  check_costs se seen cs = CheckOk ->
  NoDup cs /\ Forall (fun c => ~ In c seen) cs /\ Forall (fun c => lookup se c = Some []) cs.
Proof.
  revert seen; induction cs as [|c cs IH]; intros seen H; simpl in *.
  - repeat split; constructor.
  - destruct (lookup se c) as [s|] eqn:Hl; [|discriminate].
    destruct (shape_eqb s []) eqn:Hs; simpl in H; [|discriminate].
    destruct (mem c seen) eqn:Hm; [discriminate|].
    apply shape_eqb_true in Hs. subst s. apply mem_false in Hm.
    destruct (IH _ H) as (Hnd & Hseen & Hlk).
    repeat split.
    + constructor; [|exact Hnd].
      intros Hin. rewrite Forall_forall in Hseen. apply (Hseen c Hin). now left.
    + constructor; [exact Hm|].
      eapply Forall_impl; [|exact Hseen]. simpl. intros q Hq Hin. apply Hq. now right.
    + constructor; assumption.
Qed.

Theorem check_graph_sound (g : graph T) : check_graph g = CheckOk -> wf_graph g.
Proof.
  unfold check_graph. intros H.
  apply check_then_ok in H. destruct H as [Hi H].
  apply check_then_ok in H. destruct H as [Hp H].
  apply check_then_ok in H. destruct H as [Hn Hc].
  destruct (check_inputs_sound _ _ Hi) as (Hind & _ & Hinv).
  destruct (check_params_sound _ _ _ Hp) as (Hpnd & _ & Hpincl).
  destruct (check_costs_sound _ _ _ Hc) as (Hcnd & _ & Hcl).
  unfold wf_graph. repeat split; try assumption.
  now apply check_nodes_sound.
Qed.

Lemma check_all_sound (f : reference -> check_result) (rs : list reference) :
  check_all f rs = CheckOk -> Forall (fun r => f r = CheckOk) rs.
Proof.
  induction rs as [|r rs IH]; simpl; intros H; [constructor|].
  apply check_then_ok in H. destruct H. constructor; auto.
Qed.

Lemma check_entries_sound (what x : string) (s : shape) (v : option (list T)) :
  check_entries what x s v = CheckOk -> exists t, v = Some t /\ List.length t = shape_size s.
Proof.
  unfold check_entries. destruct v as [t|]; [|discriminate].
  destruct (Nat.eqb_spec (List.length t) (shape_size s)); [|discriminate].
  intros _. eauto.
Qed.

Theorem check_data_sound (g : graph T) (values draws : env T) :
  check_data g values draws = CheckOk -> wf_data g values draws.
Proof.
  unfold check_data. intros H. apply check_then_ok in H. destruct H as [Hv Hd].
  apply check_all_sound in Hv. apply check_all_sound in Hd.
  split.
  - eapply Forall_impl; [|exact Hv]. intros r Hr. now apply check_entries_sound in Hr.
  - eapply Forall_impl; [|exact Hd]. intros r Hr. now apply check_entries_sound in Hr.
Qed.

End Sound.

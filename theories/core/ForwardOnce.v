(** This file lets the oracle run the forward pass once.  [backprop_from g
    vals] is the sweep of [backprop] on given forward values; [backprop] is
    [backprop_from] of [forward] (by definition); and a successful
    [forward_checked] returns exactly [forward]'s values.  The oracle
    (extraction/oracle/oracle.ml) decides the domains with [forward_checked]
    and differentiates with [backprop_from] on the values it returned, which
    by [backprop_from_checked] is [backprop]. *)

From Coq Require Import List String.
From Certigrad Require Import Scalar Tensor Ops Graph Backprop.

Section ForwardOnce.
Context {T : Type} (K : scalar_ops T).

(** The gradient estimate of [backprop], from the forward values [vals]. *)
Definition backprop_from (g : graph T) (vals : env T) : list (string * list T) :=
  let adj := sweep K (shape_env g) vals (total_cost K g vals) (rev (g_nodes g)) (adj_init K g) in
  map (fun p => (p, find_val adj p)) (g_params g).

Lemma backprop_from_forward g inputs draws :
  backprop K g inputs draws = backprop_from g (forward K g inputs draws).
Proof. reflexivity. Qed.

Lemma forward_checked_nodes_inl se draws ns vals v :
  forward_checked_nodes K se draws ns vals = inl v -> v = forward_nodes K se draws ns vals.
Proof.
  revert vals. induction ns as [|n ns IH]; intros vals H; simpl in *.
  - congruence.
  - destruct (node_domain_check K vals n); [discriminate|]. apply IH, H.
Qed.

Lemma forward_checked_inl g inputs draws v :
  forward_checked K g inputs draws = inl v -> v = forward K g inputs draws.
Proof. apply forward_checked_nodes_inl. Qed.

End ForwardOnce.

(** The oracle's forward-once shortcut, for any scalar record: on a successful
    [forward_checked], [backprop_from] of its values is [backprop]
    (restated in theories/headlines/). *)
Definition backprop_from_checked_statement : Prop :=
  forall (T : Type) (K : scalar_ops T) (g : graph T) (inputs draws vals : env T),
  forward_checked K g inputs draws = inl vals ->
  backprop_from K g vals = backprop K g inputs draws.

Theorem backprop_from_checked : backprop_from_checked_statement.
Proof. intros T K g inputs draws vals H. rewrite (forward_checked_inl K _ _ _ _ H). reflexivity. Qed.

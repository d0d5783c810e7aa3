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
    induction on [ns], with [dop_correct] at the first node of [ns]:
    [det_node_step]).  At the whole node list, the curve that moves entry
    [j] of [p] has [dE] zero except the unit vector at [p]
    ([set_entry_tangents]), which leaves entry [j] of
    [naive_adj (g_nodes g) p] ([sum_unit_tangent]), and
    [backprop_eq_naive] (BackpropNaive.v) turns it into the backprop
    adjoint.  The list, sum and dot facts, and the induction step, are
    ListSums.v's, shared with Unbiased.v. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Bool Lia.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed Backprop OpsSpec.
From Certigrad Require Import OpsJvp GraphFacts BackpropNaive WellFormedSound OpsCorrect ListSums.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * Statement vocabulary

    [set_entry e p j t] (entry [j] of the value of [p] replaced by [t]) is
    defined in ListSums.v, with the list and sum facts this proof shares
    with Unbiased.v. *)

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

Variable vals : env R.
Variable C t0 : R.

Hypothesis Hvals : forall r, In r (map fst se_g) -> length (find_val vals r) = sz r.

Local Notation adj := (naive_adj R_ops g vals C).

Hypothesis Hops : forall o, dop_correct o.

Lemma suffix_derive (ns : list (node R)) :
  forall (se : senv) (E : R -> env R) (dE : string -> list R),
  wf_nodes se ns ->
  NoDup (map fst se) ->
  Forall (fun n => det_good n /\
            op_domain_holds R_ops (node_op n) (map (find_val vals) (node_parents n))) ns ->
  (forall c, In c (g_costs g) -> In c (map fst se) \/ In c (map node_name ns)) ->
  curve_tangents (fun r => sz r) (map fst se) E dE t0 ->
  forward_nodes R_ops se_g draws ns (E t0) = vals ->
  is_derive (fun t => total_cost R_ops g (forward_nodes R_ops se_g draws ns (E t))) t0
    (rsum (map (fun r => dot R_ops (adj ns r) (dE r)) (map fst se))).
Proof.
  induction ns as [|n ns IH]; intros se E dE Hwf Hnd Hns Hc HE Hfw.
  - (* no node left: the cost itself *)
    cbn [forward_nodes].
    replace (rsum (map (fun r => dot R_ops (adj [] r) (dE r)) (map fst se)))
      with (rsum (map (fun c => nth 0 (dE c) 0) (g_costs g))).
    + apply total_cost_derive. intros c Hcin. apply (proj2 (proj2 HE)).
      destruct (Hc c Hcin) as [H|[]]. exact H.
    + symmetry. apply (seed_dots g (map fst se) dE Hcosts Hnd).
      intros c Hcin. destruct (Hc c Hcin) as [H|[]]. exact H.
  - (* the first node [n], deterministic: ListSums.det_node_step *)
    pose proof (Forall_inv Hns) as [[Hdet Hgood] Hdom].
    pose proof (Forall_inv_tail Hns) as Hns'.
    destruct n as [r0 o ps|]; [|discriminate].
    pose proof (wf_nodes_cons_inv _ _ _ Hwf) as (Hfresh & _ & _ & _ & Hwf').
    assert (Hadjlen : forall r, length (adj ns r) = sz r).
    { apply (naive_adj_length g vals C Hcosts Hvals).
      - eapply Forall_impl; [|exact Hns']. intros m [[_ Hm] _]. exact Hm.
      - eapply Forall_impl; [|exact Hns']. intros [r1 o1 ps1|r1 o1 ps1] [[Hm _] _];
          [exact I|discriminate]. }
    destruct (det_node_step g draws vals C t0 Hops se r0 o ps ns E dE Hwf Hnd Hgood Hdom Hadjlen
                HE Hfw) as (dE' & HE' & Heq).
    rewrite <- Heq. apply (IH _ (det_curve se_g r0 o ps E) dE' Hwf'); auto.
    + simpl. constructor; assumption.
    + intros c Hcin. destruct (Hc c Hcin) as [H|[H|H]]; simpl in *; auto.
Qed.

End Suffix.

(** * The theorem *)

(** The theorem, as a proposition. *)
Definition backprop_correct_statement : Prop :=
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

Theorem backprop_correct_of_ops :
  (forall o : dop R, dop_correct o) -> backprop_correct_statement.
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
  pose proof (input_values_sized g inputs Hwf (proj1 Hdata)) as Hin_len.
  assert (Hvals : forall r, In r (map fst (shape_env g)) -> length (find_val vals r) = shape_size (find_shape (shape_env g) r)).
  { intros r Hr. unfold vals, forward.
    apply (forward_nodes_sized g draws (g_nodes g) (input_senv g)); auto.
    - eapply Forall_impl; [|exact Hdet]. intros [r0 o ps|r0 o ps] H; [exact I|discriminate].
    - rewrite input_senv_names, <- shape_env_names. exact Hr. }
  set (sz := fun r => shape_size (find_shape (shape_env g) r)).
  set (dE := unit_tangent sz p j).
  assert (Hsuf := suffix_derive g draws Hcosts vals C t0 Hvals Hops (g_nodes g) (input_senv g)
                    (fun t => set_entry inputs p j t) dE Hwfn).
  replace (nth j (naive_adj R_ops g vals C (g_nodes g) p) 0)
    with (rsum (map (fun r => dot R_ops (naive_adj R_ops g vals C (g_nodes g) r) (dE r))
                    (map fst (input_senv g)))).
  - apply Hsuf.
    + rewrite input_senv_names. exact Hndin.
    + unfold domains_hold in Hdom. rewrite Forall_forall in Hdg, Hdom |- *.
      intros n Hn. split; auto.
    + apply costs_covered, Hwf.
    + apply set_entry_tangents; [exact Hin_len|exact HpS|exact Hj].
    + unfold t0. rewrite set_entry_same. reflexivity.
  - apply sum_unit_tangent; [|exact HpS|exact Hj]. rewrite input_senv_names. exact Hndin.
Qed.

(** The headline: deterministic backprop is the gradient. *)
Theorem backprop_correct : backprop_correct_statement.
Proof. exact (backprop_correct_of_ops all_dops_correct). Qed.

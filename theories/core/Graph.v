(** This file describes graphs and their forward evaluation: references
    (name, shape), deterministic and random nodes, the graph record (inputs,
    parameters, nodes in topological order, costs), environments (association
    lists from names to values), forward evaluation given the input values
    and one draw per random node, and the total cost.  [forward] is the plain
    evaluation that theorems talk about; [forward_checked] is the same sweep
    with each operator's domain decided, as the oracle runs it. *)

From Coq Require Import List Arith Bool String.
From Certigrad Require Import Scalar Tensor Ops.
Import ListNotations.
Open Scope string_scope.

(** * Syntax *)

Record reference : Type := mk_ref {
  ref_name : string;
  ref_shape : shape
}.

Section Syntax.
Context {T : Type}.

Inductive node : Type :=
| NDet (r : reference) (o : dop T) (parents : list string)
| NRand (r : reference) (o : rop) (parents : list string).

Definition node_ref (n : node) : reference :=
  match n with NDet r _ _ | NRand r _ _ => r end.

Definition node_name (n : node) : string := ref_name (node_ref n).
Definition node_shape (n : node) : shape := ref_shape (node_ref n).

Definition node_parents (n : node) : list string :=
  match n with NDet _ _ ps | NRand _ _ ps => ps end.

Definition node_op (n : node) : op T :=
  match n with NDet _ o _ => ODet o | NRand _ o _ => ORand o end.

Record graph : Type := mk_graph {
  g_inputs : list reference;  (** given values, in declaration order *)
  g_params : list string;     (** the targets: a subset of the inputs *)
  g_nodes : list node;        (** in topological order *)
  g_costs : list string       (** scalar references, no duplicates *)
}.

Definition input_names (g : graph) : list string := map ref_name (g_inputs g).

(** Every reference of the graph: inputs then nodes. *)
Definition all_refs (g : graph) : list reference :=
  g_inputs g ++ map node_ref (g_nodes g).

End Syntax.

Arguments node : clear implicits.
Arguments graph : clear implicits.

(** * Environments *)

Fixpoint lookup {A : Type} (e : list (string * A)) (k : string) : option A :=
  match e with
  | [] => None
  | (k', a) :: e' => if String.eqb k k' then Some a else lookup e' k
  end.

Definition senv := list (string * shape).

Definition find_shape (se : senv) (k : string) : shape :=
  match lookup se k with Some s => s | None => [] end.

(** The shape of every reference of [g]. *)
Definition shape_env {T} (g : graph T) : senv :=
  map (fun r => (ref_name r, ref_shape r)) (all_refs g).

Definition parent_shapes (se : senv) (ps : list string) : list shape :=
  map (find_shape se) ps.

(** * Forward evaluation *)

Section Forward.
Context {T : Type} (K : scalar_ops T).

Definition env := list (string * list T).

Definition find_val (e : env) (k : string) : list T :=
  match lookup e k with Some v => v | None => [] end.

(** The value of node [n], given the values [vals] of the references before
    it and the [draws]: a random node's value is its draw. *)
Definition eval_node (se : senv) (draws vals : env) (n : node T) : list T :=
  match n with
  | NDet _ o ps => dop_forward K o (parent_shapes se ps) (map (find_val vals) ps)
  | NRand r _ _ => find_val draws (ref_name r)
  end.

(** Evaluate the nodes in order, each value put in front of [vals]. *)
Fixpoint forward_nodes (se : senv) (draws : env) (ns : list (node T)) (vals : env) : env :=
  match ns with
  | [] => vals
  | n :: ns' => forward_nodes se draws ns' ((node_name n, eval_node se draws vals n) :: vals)
  end.

(** The value of every reference, from the input values and the draws. *)
Definition forward (g : graph T) (inputs draws : env) : env :=
  forward_nodes (shape_env g) draws (g_nodes g) inputs.

(** [C]: the sum of the cost values, in cost order. *)
Definition total_cost (g : graph T) (vals : env) : T :=
  fold_left (fun acc c => s_add K acc (scalar_of K (find_val vals c))) (g_costs g) (s_zero K).

(** ** Forward evaluation with the domain decided *)

(** A value outside an operator's domain: the node, the operator, the
    parent (given for operators of more than one parent), the entry index,
    the value and the condition it breaks. *)
Record domain_error : Type := mk_domain_error {
  de_node : string;
  de_op : string;
  de_parent : option string;
  de_index : nat;
  de_value : T;
  de_cond : string
}.

Definition node_domain_check (vals : env) (n : node T) : option domain_error :=
  let o := node_op n in
  let ps := node_parents n in
  match op_domain_check K o (map (find_val vals) ps) with
  | None => None
  | Some (p, i, t) =>
      let cond := match op_domain o with
                  | Some (_, d) => dom_rule_string d
                  | None => "" end in
      let parent := if Nat.leb (List.length ps) 1 then None else Some (nth p ps "") in
      Some (mk_domain_error (node_name n) (op_name o) parent i t cond)
  end.

Fixpoint forward_checked_nodes (se : senv) (draws : env) (ns : list (node T)) (vals : env)
    : env + domain_error :=
  match ns with
  | [] => inl vals
  | n :: ns' =>
      match node_domain_check vals n with
      | Some e => inr e
      | None => forward_checked_nodes se draws ns'
                  ((node_name n, eval_node se draws vals n) :: vals)
      end
  end.

(** [forward], stopping at the first node whose parents are out of its
    operator's domain. *)
Definition forward_checked (g : graph T) (inputs draws : env) : env + domain_error :=
  forward_checked_nodes (shape_env g) draws (g_nodes g) inputs.

End Forward.

Arguments env : clear implicits.

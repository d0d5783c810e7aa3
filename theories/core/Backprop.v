(** This file describes backprop, the reverse sweep of docs/semantics.md,
    and its naive specification.

    [backprop]: run [forward]; let [C] be the total cost; start every
    adjoint at zero and add 1 to each cost's; sweep the nodes in reverse
    order, and at node [n] with adjoint [g_n] add each parent's contribution
    ([node_contribs]): a deterministic node's pullback of [g_n], an [mvn]
    node's [C] times the score gradient, nothing for [mvn_std].  Each node's
    pullback is computed once.  The result is each parameter's adjoint.

    [naive_adj]: the adjoint of a reference as a recursive definition over
    the node list: the seed, plus the contributions of every node, where a
    node's own adjoint is recomputed from the nodes after it (exponential,
    no memo).  It adds the same terms in the same order, so [backprop] and
    [naive_backprop] agree (the theorem is proved apart). *)

From Coq Require Import List Arith Bool String.
From Certigrad Require Import Scalar Tensor Ops Graph.
Import ListNotations.
Open Scope string_scope.

Section Backprop.
Context {T : Type} (K : scalar_ops T).

Local Notation env := (env T).

(** The contributions of node [n], whose adjoint is [g], to its parents:
    one (parent name, tensor) per parent position, in order. *)
Definition node_contribs (se : senv) (vals : env) (C : T) (n : node T) (g : list T)
    : list (string * list T) :=
  match n with
  | NDet r o ps =>
      combine ps (dop_pullbacks K o (parent_shapes se ps) (map (find_val vals) ps)
                                (find_val vals (ref_name r)) g)
  | NRand r o ps =>
      combine ps (map (vscale K C) (rop_score K o (map (find_val vals) ps)
                                              (find_val vals (ref_name r))))
  end.

(** ** The memoized sweep *)

(** Add [d] to the adjoint of [k] (the first entry named [k]). *)
Fixpoint adj_add (k : string) (d : list T) (adj : env) : env :=
  match adj with
  | [] => []
  | (k', t) :: adj' =>
      if String.eqb k k' then (k', vadd K t d) :: adj' else (k', t) :: adj_add k d adj'
  end.

Definition add_contribs (cs : list (string * list T)) (adj : env) : env :=
  fold_left (fun a pd => adj_add (fst pd) (snd pd) a) cs adj.

(** Zero for every reference, then 1 added to each cost, in cost order. *)
Definition adj_init (g : graph T) : env :=
  fold_left (fun a c => adj_add c [s_one K] a) (g_costs g)
    (map (fun r => (ref_name r, zeros K (shape_size (ref_shape r)))) (all_refs g)).

(** Sweep [rns], the nodes in reverse order. *)
Fixpoint sweep (se : senv) (vals : env) (C : T) (rns : list (node T)) (adj : env) : env :=
  match rns with
  | [] => adj
  | n :: rns' =>
      let g := find_val adj (node_name n) in
      sweep se vals C rns' (add_contribs (node_contribs se vals C n g) adj)
  end.

(** The adjoint of every reference. *)
Definition backprop_adjoints (g : graph T) (inputs draws : env) : env :=
  let vals := forward K g inputs draws in
  sweep (shape_env g) vals (total_cost K g vals) (rev (g_nodes g)) (adj_init g).

(** The gradient estimate for each parameter, in parameter order. *)
Definition backprop (g : graph T) (inputs draws : env) : list (string * list T) :=
  let adj := backprop_adjoints g inputs draws in
  map (fun p => (p, find_val adj p)) (g_params g).

(** ** The naive specification *)

(** The seed of [r]'s adjoint: zero, plus 1 for each time [r] is a cost. *)
Definition seed (g : graph T) (r : string) : list T :=
  fold_left (fun a c => if String.eqb c r then vadd K a [s_one K] else a) (g_costs g)
    (zeros K (shape_size (find_shape (shape_env g) r))).

(** Add to [base] the contributions in [cs] that go to [r]. *)
Definition contribs_to (r : string) (cs : list (string * list T)) (base : list T) : list T :=
  fold_left (fun a pd => if String.eqb (fst pd) r then vadd K a (snd pd) else a) cs base.

(** The adjoint of [r] due to the nodes [ns] (a suffix of the graph's
    nodes): the adjoint of the first node of [ns] is recomputed from the
    nodes after it. *)
Fixpoint naive_adj (g : graph T) (vals : env) (C : T) (ns : list (node T)) (r : string)
    : list T :=
  match ns with
  | [] => seed g r
  | n :: ns' =>
      contribs_to r
        (node_contribs (shape_env g) vals C n (naive_adj g vals C ns' (node_name n)))
        (naive_adj g vals C ns' r)
  end.

Definition naive_backprop (g : graph T) (inputs draws : env) : list (string * list T) :=
  let vals := forward K g inputs draws in
  let C := total_cost K g vals in
  map (fun p => (p, naive_adj g vals C (g_nodes g) p)) (g_params g).

End Backprop.

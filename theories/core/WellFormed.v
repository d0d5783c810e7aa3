(** This file describes well-formed graphs, twice: [check_graph], a decision
    the oracle runs that returns [CheckOk] or the first error (a reference
    name and a message), and [wf_graph], the same conditions as a
    proposition for theorems.  Conditions: names unique across inputs and
    nodes; shapes of rank at most 2 with positive dimensions; parameters are
    inputs, without duplicates; each node's parents are defined before it;
    each operator gets its arity and the shapes its rule accepts (e.g.
    [gemm]'s inner dimensions agree), and the shape it computes is the
    declared one; costs are defined, scalar and not duplicated.
    [check_data] checks that every input has a value and every random node
    a draw, each with the right number of entries. *)

From Coq Require Import List Arith Bool String.
From Certigrad Require Import Scalar Tensor Messages Ops Graph.
Import ListNotations.
Open Scope string_scope.

Inductive check_result : Type :=
| CheckOk
| CheckErr (name : string) (msg : string).

(** Run [c]; if it passes, run [k]. *)
Definition check_then (c : check_result) (k : unit -> check_result) : check_result :=
  match c with CheckOk => k tt | CheckErr _ _ => c end.

Definition mem (k : string) (l : list string) : bool := existsb (String.eqb k) l.

Definition shape_msg : string := "a shape has at most 2 dimensions, all positive".

Section Check.
Context {T : Type}.

Fixpoint check_inputs (seen : list string) (ins : list reference) : check_result :=
  match ins with
  | [] => CheckOk
  | r :: ins' =>
      if mem (ref_name r) seen then CheckErr (ref_name r) "duplicate name"
      else if negb (shape_valid (ref_shape r)) then CheckErr (ref_name r) shape_msg
      else check_inputs (ref_name r :: seen) ins'
  end.

Fixpoint check_params (inputs seen : list string) (ps : list string) : check_result :=
  match ps with
  | [] => CheckOk
  | p :: ps' =>
      if negb (mem p inputs) then CheckErr p "parameter is not an input"
      else if mem p seen then CheckErr p "duplicate parameter"
      else check_params inputs (p :: seen) ps'
  end.

(** The first parent not defined in [se]. *)
Fixpoint first_undefined (se : senv) (ps : list string) : option string :=
  match ps with
  | [] => None
  | p :: ps' => if mem p (map fst se) then first_undefined se ps' else Some p
  end.

Definition check_node (se : senv) (n : node T) : check_result :=
  let x := node_name n in
  if mem x (map fst se) then CheckErr x "duplicate name"
  else if negb (shape_valid (node_shape n)) then CheckErr x shape_msg
  else match first_undefined se (node_parents n) with
  | Some p => CheckErr x ("unknown parent '" ++ p ++ "' (parents must be defined before use)")
  | None =>
      match op_out_shape_res (node_op n) (node_shape n) (parent_shapes se (node_parents n)) with
      | Err m => CheckErr x m
      | Ok s => if shape_eqb s (node_shape n) then CheckOk
                else CheckErr x ("declared shape " ++ string_of_shape (node_shape n)
                                 ++ " differs from the computed shape " ++ string_of_shape s)
      end
  end.

(** Check the nodes in order; [se] holds the references defined so far. *)
Fixpoint check_nodes (se : senv) (ns : list (node T)) : check_result :=
  match ns with
  | [] => CheckOk
  | n :: ns' => check_then (check_node se n)
                  (fun _ => check_nodes ((node_name n, node_shape n) :: se) ns')
  end.

Fixpoint check_costs (se : senv) (seen : list string) (cs : list string) : check_result :=
  match cs with
  | [] => CheckOk
  | c :: cs' =>
      match lookup se c with
      | None => CheckErr c "unknown cost"
      | Some s =>
          if negb (shape_eqb s []) then
            CheckErr c ("a cost must be a scalar (shape " ++ string_of_shape s ++ ")")
          else if mem c seen then CheckErr c "duplicate cost"
          else check_costs se (c :: seen) cs'
      end
  end.

Definition input_senv (g : graph T) : senv :=
  map (fun r => (ref_name r, ref_shape r)) (g_inputs g).

Definition check_graph (g : graph T) : check_result :=
  check_then (check_inputs [] (g_inputs g)) (fun _ =>
  check_then (check_params (input_names g) [] (g_params g)) (fun _ =>
  check_then (check_nodes (input_senv g) (g_nodes g)) (fun _ =>
  check_costs (shape_env g) [] (g_costs g)))).

(** ** Values and draws *)

Definition check_entries (what : string) (x : string) (s : shape) (v : option (list T))
    : check_result :=
  match v with
  | None => CheckErr x ("missing " ++ what)
  | Some t =>
      if Nat.eqb (List.length t) (shape_size s) then CheckOk
      else CheckErr x (what ++ " has " ++ string_of_nat (List.length t)
                       ++ " numbers, expected " ++ string_of_nat (shape_size s))
  end.

Fixpoint check_all (f : reference -> check_result) (rs : list reference) : check_result :=
  match rs with
  | [] => CheckOk
  | r :: rs' => check_then (f r) (fun _ => check_all f rs')
  end.

Definition rand_refs (g : graph T) : list reference :=
  flat_map (fun n => match n with NRand r _ _ => [r] | NDet _ _ _ => [] end) (g_nodes g).

(** Every input has a value and every random node a draw, of its size. *)
Definition check_data (g : graph T) (values draws : env T) : check_result :=
  check_then
    (check_all (fun r => check_entries "value" (ref_name r) (ref_shape r)
                           (lookup values (ref_name r))) (g_inputs g))
    (fun _ => check_all (fun r => check_entries "draw" (ref_name r) (ref_shape r)
                                    (lookup draws (ref_name r))) (rand_refs g)).

(** * The proposition *)

Inductive wf_nodes : senv -> list (node T) -> Prop :=
| wf_nodes_nil se : wf_nodes se []
| wf_nodes_cons se n ns :
    ~ In (node_name n) (map fst se) ->
    shape_valid (node_shape n) = true ->
    Forall (fun p => In p (map fst se)) (node_parents n) ->
    op_out_shape (node_op n) (node_shape n) (parent_shapes se (node_parents n))
      = Some (node_shape n) ->
    wf_nodes ((node_name n, node_shape n) :: se) ns ->
    wf_nodes se (n :: ns).

Definition wf_graph (g : graph T) : Prop :=
  NoDup (input_names g) /\
  Forall (fun r => shape_valid (ref_shape r) = true) (g_inputs g) /\
  NoDup (g_params g) /\
  incl (g_params g) (input_names g) /\
  wf_nodes (input_senv g) (g_nodes g) /\
  NoDup (g_costs g) /\
  Forall (fun c => lookup (shape_env g) c = Some []) (g_costs g).

(** The data fit the graph. *)
Definition wf_data (g : graph T) (values draws : env T) : Prop :=
  Forall (fun r => exists t, lookup values (ref_name r) = Some t
                             /\ List.length t = shape_size (ref_shape r)) (g_inputs g) /\
  Forall (fun r => exists t, lookup draws (ref_name r) = Some t
                             /\ List.length t = shape_size (ref_shape r)) (rand_refs g).

End Check.

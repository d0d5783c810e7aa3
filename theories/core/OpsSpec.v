(** This file states what it means for a deterministic operator's pullback
    to be correct at the real numbers: [dop_correct o].  The per-operator
    proofs (OpsCorrect.v) establish it for every operator; the graph
    theorem (BackpropCorrect.v) uses only this statement.

    Along any curve [t |-> xs t] of parent values whose entries are
    differentiable at [t0] with derivatives [dxs], inside the operator's
    domain at [t0], the output has a tangent [dv]: each output entry is
    differentiable at [t0] with derivative the matching entry of [dv], and
    [dv] is dual to the pullbacks: for every output adjoint [g],
    [<g, dv> = sum_i <pullback_i g, dxs_i>]. *)

From Coq Require Import Reals List.
From Coquelicot Require Import Coquelicot.
From Certigrad Require Import Scalar Tensor Ops.
Import ListNotations.

Local Open Scope R_scope.

(** [sum_i <as_i, bs_i>], over the positions present in both lists. *)
Definition pair_dots (as_ bs : list (list R)) : R :=
  fold_right Rplus 0 (map (fun ab => dot R_ops (fst ab) (snd ab)) (combine as_ bs)).

(** [xs] has one tensor per shape in [ss], each of the shape's size. *)
Definition sized (xs : list (list R)) (ss : list shape) : Prop :=
  Forall2 (fun x s => length x = shape_size s) xs ss.

Definition dop_correct (o : dop R) : Prop :=
  forall (ss : list shape) (decl sout : shape),
  op_out_shape (ODet o) decl ss = Some sout ->
  forall (xs : R -> list (list R)) (dxs : list (list R)) (t0 : R),
  (forall t, sized (xs t) ss) ->
  sized dxs ss ->
  (forall i k, is_derive (fun t => nth k (nth i (xs t) []) 0) t0 (nth k (nth i dxs []) 0)) ->
  op_domain_holds R_ops (ODet o) (xs t0) ->
  exists dv : list R,
    length dv = shape_size sout /\
    (forall k, is_derive (fun t => nth k (dop_forward R_ops o ss (xs t)) 0) t0 (nth k dv 0)) /\
    (forall g : list R, length g = shape_size sout ->
       dot R_ops g dv =
       pair_dots (dop_pullbacks R_ops o ss (xs t0) (dop_forward R_ops o ss (xs t0)) g) dxs).

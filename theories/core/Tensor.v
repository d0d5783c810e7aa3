(** This file describes shapes and tensors: a shape is a list of at most two
    positive dimensions, a tensor a flat row-major list of scalars, and the
    elementwise, reduction and matrix-product functions on such lists that
    the operators of Ops.v are written with.  Reductions run in increasing
    flat index ([fold_left] from zero), as docs/semantics.md requires. *)

From Coq Require Import List Arith Bool.
From Certigrad Require Import Scalar.
Import ListNotations.

(** * Shapes *)

Definition shape := list nat.

(** Number of entries: the product of the dimensions ([1] for a scalar). *)
Definition shape_size (s : shape) : nat := fold_right Nat.mul 1 s.

(** Rank at most two, every dimension positive. *)
Definition shape_valid (s : shape) : bool :=
  (length s <=? 2) && forallb (fun d => 1 <=? d) s.

Definition shape_eqb (s t : shape) : bool :=
  if list_eq_dec Nat.eq_dec s t then true else false.

Section Tensors.
Context {T : Type} (K : scalar_ops T).

Definition tensor := list T.

(** * Elementwise functions *)

Fixpoint map2 (f : T -> T -> T) (xs ys : list T) : list T :=
  match xs, ys with
  | x :: xs', y :: ys' => f x y :: map2 f xs' ys'
  | _, _ => []
  end.

Fixpoint map3 (f : T -> T -> T -> T) (xs ys zs : list T) : list T :=
  match xs, ys, zs with
  | x :: xs', y :: ys', z :: zs' => f x y z :: map3 f xs' ys' zs'
  | _, _, _ => []
  end.

Definition zeros (n : nat) : tensor := repeat (s_zero K) n.
Definition vadd (x y : tensor) : tensor := map2 (s_add K) x y.
Definition vsub (x y : tensor) : tensor := map2 (s_sub K) x y.
Definition vmul (x y : tensor) : tensor := map2 (s_mul K) x y.
Definition vdiv (x y : tensor) : tensor := map2 (s_div K) x y.
Definition vscale (a : T) (x : tensor) : tensor := map (s_mul K a) x.

(** A scalar tensor's value; [0] for the (ill-shaped) empty tensor. *)
Definition scalar_of (x : tensor) : T := hd (s_zero K) x.

(** * Reductions *)

(** Sum in increasing index: ((0 + x0) + x1) + ... *)
Definition vsum (x : tensor) : T := fold_left (s_add K) x (s_zero K).

Definition dot (x y : tensor) : T := vsum (vmul x y).

(** * Matrices *)

(** The [m] rows, each of [n] entries, of a row-major [m x n] matrix. *)
Fixpoint rows (m n : nat) (x : tensor) : list tensor :=
  match m with
  | O => []
  | S m' => firstn n x :: rows m' n (skipn n x)
  end.

(** Put the entries of [r] in front of the lists [cs], pairwise. *)
Fixpoint cons_each (r : tensor) (cs : list tensor) : list tensor :=
  match r, cs with
  | x :: r', c :: cs' => (x :: c) :: cons_each r' cs'
  | _, _ => []
  end.

(** Transpose of a list of rows, each of [n] entries: the [n] columns. *)
Fixpoint transpose (n : nat) (rs : list tensor) : list tensor :=
  match rs with
  | [] => repeat [] n
  | r :: rs' => cons_each r (transpose n rs')
  end.

(** Matrix product of [A] ([m x k]) and [B] ([k x n]), row-major [m x n];
    entry (i, j) is [dot (row i A) (column j B)], summed over increasing k. *)
Definition gemm (m k n : nat) (A B : tensor) : tensor :=
  let cols := transpose n (rows k n B) in
  concat (map (fun a => map (fun b => dot a b) cols) (rows m k A)).

(** Row-major transpose of an [m x n] matrix: an [n x m] matrix. *)
Definition mtranspose (m n : nat) (A : tensor) : tensor :=
  concat (transpose n (rows m n A)).

End Tensors.

(** This file prints the numbers and shapes that error messages show
    (the checker's, Ops.v's shape rules, WellFormed.v): decimal notation of
    a natural number and [[2 3]] for a shape.  It is extracted with the
    oracle. *)

From Coq Require Import List Arith String.
From Certigrad Require Import Tensor.
Import ListNotations.
Open Scope string_scope.

Definition digit_string (d : nat) : string :=
  match d with
  | 0 => "0" | 1 => "1" | 2 => "2" | 3 => "3" | 4 => "4"
  | 5 => "5" | 6 => "6" | 7 => "7" | 8 => "8" | _ => "9"
  end.

Fixpoint digits (fuel n : nat) (acc : string) : string :=
  match fuel with
  | O => acc
  | S fuel' =>
      let acc' := digit_string (n mod 10) ++ acc in
      if Nat.ltb n 10 then acc' else digits fuel' (n / 10) acc'
  end.

(** Decimal notation of a natural number. *)
Definition string_of_nat (n : nat) : string := digits (S n) n "".

(** [[2 3]] for a 2 x 3 matrix, [[]] for a scalar. *)
Definition string_of_shape (s : shape) : string :=
  "[" ++ concat " " (map string_of_nat s) ++ "]".

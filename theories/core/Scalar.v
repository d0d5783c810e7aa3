(** This file describes the abstract scalar field over which every Certigrad
    definition is written: a record [scalar_ops T] of the constants,
    arithmetic, transcendental functions and order decisions the operators
    need.  Proofs instantiate it at Coq's [R] ([R_ops] below); the extracted
    oracle instantiates it at OCaml's [float] (extraction/Extract.v).

    Naming: every field starts with [s_] so that the projections do not
    shadow the Stdlib names ([exp], [ln], [sqrt], ...). *)

From Coq Require Import Reals.

(** * The scalar record *)

Record scalar_ops (T : Type) := mk_scalar_ops {
  s_zero : T;
  s_one : T;
  s_add : T -> T -> T;
  s_sub : T -> T -> T;
  s_mul : T -> T -> T;
  s_div : T -> T -> T;
  s_neg : T -> T;
  s_exp : T -> T;
  s_log : T -> T;          (** natural logarithm *)
  s_sqrt : T -> T;
  s_sigmoid : T -> T;      (** 1 / (1 + exp (-x)) *)
  s_softplus : T -> T;     (** ln (1 + exp x) *)
  s_lt : T -> T -> Prop;   (** the order, for statements *)
  s_ltb : T -> T -> bool;  (** its decision, for the domain checks *)
  s_eqb : T -> T -> bool   (** equality decision (for [div]: y <> 0) *)
}.

Arguments s_zero {T} _.
Arguments s_one {T} _.
Arguments s_add {T} _ _ _.
Arguments s_sub {T} _ _ _.
Arguments s_mul {T} _ _ _.
Arguments s_div {T} _ _ _.
Arguments s_neg {T} _ _.
Arguments s_exp {T} _ _.
Arguments s_log {T} _ _.
Arguments s_sqrt {T} _ _.
Arguments s_sigmoid {T} _ _.
Arguments s_softplus {T} _ _.
Arguments s_lt {T} _ _ _.
Arguments s_ltb {T} _ _ _.
Arguments s_eqb {T} _ _ _.

(** The number two, used by [sqrt]'s pullback and [mvn_kl]. *)
Definition s_two {T} (K : scalar_ops T) : T := s_add K (s_one K) (s_one K).

(** * The instance at the real numbers *)

Definition R_sigmoid (x : R) : R := / (1 + exp (- x)).
Definition R_softplus (x : R) : R := ln (1 + exp x).
Definition R_ltb (x y : R) : bool := if Rlt_dec x y then true else false.
Definition R_eqb (x y : R) : bool := if Req_EM_T x y then true else false.

Definition R_ops : scalar_ops R := {|
  s_zero := 0%R;
  s_one := 1%R;
  s_add := Rplus;
  s_sub := Rminus;
  s_mul := Rmult;
  s_div := Rdiv;
  s_neg := Ropp;
  s_exp := exp;
  s_log := ln;
  s_sqrt := sqrt;
  s_sigmoid := R_sigmoid;
  s_softplus := R_softplus;
  s_lt := Rlt;
  s_ltb := R_ltb;
  s_eqb := R_eqb
|}.

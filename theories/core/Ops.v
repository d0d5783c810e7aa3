(** This file describes the operator table of docs/semantics.md, once: the
    deterministic operators [dop] and the random operators [rop], each with
    its name, arity, attribute, shape rule, forward function, domain (a
    decision for the oracle and a [Prop] for theorems), pullback to each
    parent (vector-Jacobian product) and, for [mvn], the gradient of the log
    density with respect to each parent.  [all_ops] lists the table; the
    oracle prints it as ops/ops.json.

    Conventions: [xs] are the parent values in parent order, [ss] their
    shapes, [v] the output value, [g] the output adjoint (same shape as the
    output).  Arguments missing from [xs] read as the empty tensor. *)

From Coq Require Import List Arith Bool String.
From Certigrad Require Import Scalar Tensor Messages.
Import ListNotations.
Open Scope string_scope.

(** * Results carrying an error message *)

Inductive res (A : Type) : Type :=
| Ok (a : A)
| Err (msg : string).
Arguments Ok {A} a.
Arguments Err {A} msg.

(** * The operators *)

Section Table.
Context {T : Type}.

Inductive dop : Type :=
| Scale (a : T)       (** a * x; the only operator with an attribute *)
| Neg
| Exp
| Log
| Sqrt
| Sigmoid
| Softplus
| Add
| Sub
| Mul
| Div
| Sum
| Gemm
| MulAdd
| MvnKl
| MvnEmpiricalKl  (** parents mu, sigma, z: log N(z; mu, sigma^2) - log N(z; 0, 1) *)
| BernoulliNeglogpdf.

Inductive rop : Type :=
| Mvn      (** parents mu, sigma: N(mu, diag sigma^2) *)
| MvnStd.  (** no parents: N(0, I) of the declared shape *)

Inductive op : Type :=
| ODet (o : dop)
| ORand (o : rop).

Definition dop_name (o : dop) : string :=
  match o with
  | Scale _ => "scale" | Neg => "neg" | Exp => "exp" | Log => "log"
  | Sqrt => "sqrt" | Sigmoid => "sigmoid" | Softplus => "softplus"
  | Add => "add" | Sub => "sub" | Mul => "mul" | Div => "div"
  | Sum => "sum" | Gemm => "gemm" | MulAdd => "mul_add"
  | MvnKl => "mvn_kl" | MvnEmpiricalKl => "mvn_empirical_kl"
  | BernoulliNeglogpdf => "bernoulli_neglogpdf"
  end.

Definition dop_arity (o : dop) : nat :=
  match o with
  | Scale _ | Neg | Exp | Log | Sqrt | Sigmoid | Softplus | Sum => 1
  | Add | Sub | Mul | Div | Gemm | MvnKl | BernoulliNeglogpdf => 2
  | MulAdd | MvnEmpiricalKl => 3
  end.

Definition rop_name (o : rop) : string :=
  match o with Mvn => "mvn" | MvnStd => "mvn_std" end.

Definition rop_arity (o : rop) : nat :=
  match o with Mvn => 2 | MvnStd => 0 end.

Definition op_name (o : op) : string :=
  match o with ODet d => dop_name d | ORand r => rop_name r end.

Definition op_arity (o : op) : nat :=
  match o with ODet d => dop_arity d | ORand r => rop_arity r end.

Definition op_kind (o : op) : string :=
  match o with ODet _ => "det" | ORand _ => "rand" end.

Definition op_has_attr (o : op) : bool :=
  match o with ODet (Scale _) => true | _ => false end.

(** Give [scale] the attribute [a]; other operators are unchanged. *)
Definition op_set_attr (o : op) (a : T) : op :=
  match o with ODet (Scale _) => ODet (Scale a) | _ => o end.

(** * Shape rules *)

Inductive shape_rule : Type :=
| RSame        (** all parents have one shape; the output has it *)
| RScalar      (** any parent shape; the output is a scalar *)
| RSameScalar  (** all parents have one shape; the output is a scalar *)
| RGemm        (** [m k] and [k n] give [m n] *)
| RDeclared.   (** no parents; the output has the declared shape *)

Definition shape_rule_name (r : shape_rule) : string :=
  match r with
  | RSame => "same" | RScalar => "scalar" | RSameScalar => "same_to_scalar"
  | RGemm => "gemm" | RDeclared => "declared"
  end.

Definition dop_shape_rule (o : dop) : shape_rule :=
  match o with
  | Sum => RScalar
  | MvnKl | MvnEmpiricalKl | BernoulliNeglogpdf => RSameScalar
  | Gemm => RGemm
  | _ => RSame
  end.

Definition rop_shape_rule (o : rop) : shape_rule :=
  match o with Mvn => RSame | MvnStd => RDeclared end.

Definition op_shape_rule (o : op) : shape_rule :=
  match o with ODet d => dop_shape_rule d | ORand r => rop_shape_rule r end.

(** The first shape of [ss] that differs from [s], if any. *)
Fixpoint first_other_shape (s : shape) (ss : list shape) : option shape :=
  match ss with
  | [] => None
  | t :: ss' => if shape_eqb s t then first_other_shape s ss' else Some t
  end.

Definition same_shapes (name : string) (ss : list shape) : res shape :=
  match ss with
  | [] => Err (name ++ ": expects parents")
  | s :: ss' =>
      match first_other_shape s ss' with
      | None => Ok s
      | Some t => Err (name ++ ": parent shapes differ (" ++ string_of_shape s
                       ++ " vs " ++ string_of_shape t ++ ")")
      end
  end.

Definition apply_shape_rule (name : string) (r : shape_rule) (decl : shape)
    (ss : list shape) : res shape :=
  match r with
  | RSame => same_shapes name ss
  | RScalar => Ok []
  | RSameScalar =>
      match same_shapes name ss with Ok _ => Ok [] | Err m => Err m end
  | RGemm =>
      match ss with
      | [[m; k]; [k'; n]] =>
          if Nat.eqb k k' then Ok [m; n]
          else Err (name ++ ": inner dimensions differ (" ++ string_of_nat k
                    ++ " vs " ++ string_of_nat k' ++ ")")
      | _ => Err (name ++ ": parents must be matrices (got "
                  ++ concat " and " (map string_of_shape ss) ++ ")")
      end
  | RDeclared => Ok decl
  end.

(** The output shape of [o] applied to parents of shapes [ss], for a node
    declared with shape [decl]; [Err] explains a shape error. *)
Definition op_out_shape_res (o : op) (decl : shape) (ss : list shape) : res shape :=
  if Nat.eqb (List.length ss) (op_arity o) then apply_shape_rule (op_name o) (op_shape_rule o) decl ss
  else Err (op_name o ++ ": expects " ++ string_of_nat (op_arity o)
            ++ " parents, got " ++ string_of_nat (List.length ss)).

(** The same, as an option: [None] is a shape error. *)
Definition op_out_shape (o : op) (decl : shape) (ss : list shape) : option shape :=
  match op_out_shape_res o decl ss with Ok s => Some s | Err _ => None end.

(** * Domains *)

Inductive dom_rule : Type :=
| DPos      (** every entry > 0 *)
| DNonzero  (** every entry <> 0 *)
| DUnit.    (** every entry in (0, 1) *)

(** Which parent (position) is restricted, and how. *)
Definition dop_domain (o : dop) : option (nat * dom_rule) :=
  match o with
  | Log | Sqrt => Some (0, DPos)
  | Div => Some (1, DNonzero)
  | MvnKl | MvnEmpiricalKl => Some (1, DPos)
  | BernoulliNeglogpdf => Some (0, DUnit)
  | _ => None
  end.

Definition rop_domain (o : rop) : option (nat * dom_rule) :=
  match o with Mvn => Some (1, DPos) | MvnStd => None end.

Definition op_domain (o : op) : option (nat * dom_rule) :=
  match o with ODet d => dop_domain d | ORand r => rop_domain r end.

(** The condition as the error message states it. *)
Definition dom_rule_string (d : dom_rule) : string :=
  match d with
  | DPos => "must be > 0" | DNonzero => "must be != 0" | DUnit => "must be in (0, 1)"
  end.

(** The domain as ops/ops.json states it. *)
Definition op_domain_desc (o : op) : string :=
  match o with
  | ODet Log | ODet Sqrt => "x > 0"
  | ODet Div => "y != 0"
  | ODet MvnKl | ODet MvnEmpiricalKl | ORand Mvn => "sigma > 0"
  | ODet BernoulliNeglogpdf => "0 < p < 1"
  | _ => "-"
  end.

End Table.

Arguments dop : clear implicits.
Arguments op : clear implicits.

(** * Semantics over a scalar field *)

Section Semantics.
Context {T : Type} (K : scalar_ops T).

Local Notation tensor := (list T).
Local Notation "0" := (s_zero K).
Local Notation "1" := (s_one K).
Local Infix "+" := (s_add K).
Local Infix "-" := (s_sub K).
Local Infix "*" := (s_mul K).
Local Infix "/" := (s_div K).

(** The table, one entry per operator ([scale] shown with attribute 1). *)
Definition all_ops : list (op T) :=
  [ODet (Scale 1); ODet Neg; ODet Exp; ODet Log; ODet Sqrt; ODet Sigmoid;
   ODet Softplus; ODet Add; ODet Sub; ODet Mul; ODet Div; ODet Sum; ODet Gemm;
   ODet MulAdd; ODet MvnKl; ODet MvnEmpiricalKl; ODet BernoulliNeglogpdf;
   ORand Mvn; ORand MvnStd].

(** The operator of a name (with attribute 1 for [scale]). *)
Definition op_of_name (name : string) : option (op T) :=
  find (fun o => String.eqb (op_name o) name) all_ops.

(** ** Domain decisions and statements *)

Definition dom_ok (d : dom_rule) (t : T) : bool :=
  match d with
  | DPos => s_ltb K 0 t
  | DNonzero => negb (s_eqb K t 0)
  | DUnit => s_ltb K 0 t && s_ltb K t 1
  end.

Definition dom_holds (d : dom_rule) (t : T) : Prop :=
  match d with
  | DPos => s_lt K 0 t
  | DNonzero => t <> 0
  | DUnit => s_lt K 0 t /\ s_lt K t 1
  end.

(** The first entry (index, value) of [x] outside [d], from index [i]. *)
Fixpoint first_bad (d : dom_rule) (i : nat) (x : tensor) : option (nat * T) :=
  match x with
  | [] => None
  | t :: x' => if dom_ok d t then first_bad d (S i) x' else Some (i, t)
  end.

(** Decision: [None] when the parent values [xs] are in [o]'s domain, else
    the restricted parent's position, the entry index and its value. *)
Definition op_domain_check (o : op T) (xs : list tensor) : option (nat * nat * T) :=
  match op_domain o with
  | None => None
  | Some (p, d) =>
      match first_bad d 0 (nth p xs []) with
      | None => None
      | Some (i, t) => Some (p, i, t)
      end
  end.

(** Statement: the parent values [xs] are in [o]'s domain. *)
Definition op_domain_holds (o : op T) (xs : list tensor) : Prop :=
  match op_domain o with
  | None => True
  | Some (p, d) => Forall (dom_holds d) (nth p xs [])
  end.

(** ** Forward *)

(** [m], [k], [n] of a [gemm] with parent shapes [[m k]] and [[k n]]. *)
Definition gemm_dims (ss : list shape) : nat * nat * nat :=
  match ss with
  | [[m; k]; [_; n]] => (m, k, n)
  | _ => (0, 0, 0)%nat
  end.

Definition dop_forward (o : dop T) (ss : list shape) (xs : list tensor) : tensor :=
  let x := nth 0 xs [] in
  let y := nth 1 xs [] in
  let z := nth 2 xs [] in
  match o with
  | Scale a => vscale K a x
  | Neg => map (s_neg K) x
  | Exp => map (s_exp K) x
  | Log => map (s_log K) x
  | Sqrt => map (s_sqrt K) x
  | Sigmoid => map (s_sigmoid K) x
  | Softplus => map (s_softplus K) x
  | Add => vadd K x y
  | Sub => vsub K x y
  | Mul => vmul K x y
  | Div => vdiv K x y
  | Sum => [vsum K x]
  | Gemm => let '(m, k, n) := gemm_dims ss in gemm K m k n x y
  | MulAdd => map3 (fun a b c => a * b + c) x y z
  | MvnKl =>
      (* x = mu, y = sigma *)
      [vsum K (map2 (fun mu s => (mu * mu + s * s - 1) / s_two K - s_log K s) x y)]
  | MvnEmpiricalKl =>
      (* x = mu, y = sigma, z = the sample; per entry, with d = (z - mu) / sigma:
         log N(z; mu, sigma^2) - log N(z; 0, 1) = (z^2 - d^2) / 2 - log sigma *)
      [vsum K (map3 (fun mu s zi => (zi * zi - (zi - mu) / s * ((zi - mu) / s)) / s_two K
                                    - s_log K s) x y z)]
  | BernoulliNeglogpdf =>
      (* x = p, y = the observed x *)
      [s_neg K (vsum K (map2 (fun p b => b * s_log K p + (1 - b) * s_log K (1 - p)) x y))]
  end.

(** ** Pullbacks: the adjoint contribution to each parent, in order *)

Definition dop_pullbacks (o : dop T) (ss : list shape) (xs : list tensor)
    (v g : tensor) : list tensor :=
  let x := nth 0 xs [] in
  let y := nth 1 xs [] in
  let gs := scalar_of K g in
  match o with
  | Scale a => [vscale K a g]
  | Neg => [map (s_neg K) g]
  | Exp => [vmul K g v]
  | Log => [vdiv K g x]
  | Sqrt => [map2 (fun gi vi => gi / (s_two K * vi)) g v]
  | Sigmoid => [map2 (fun gi vi => gi * vi * (1 - vi)) g v]
  | Softplus => [map2 (fun gi xi => gi * s_sigmoid K xi) g x]
  | Add => [g; g]
  | Sub => [g; map (s_neg K) g]
  | Mul => [vmul K g y; vmul K g x]
  | Div => [vdiv K g y; map3 (fun gi xi yi => s_neg K gi * xi / (yi * yi)) g x y]
  | Sum => [repeat gs (List.length x)]
  | Gemm =>
      let '(m, k, n) := gemm_dims ss in
      [gemm K m n k g (mtranspose k n y); gemm K k m n (mtranspose m k x) g]
  | MulAdd => [vmul K g y; vmul K g x; g]
  | MvnKl => [map (fun mu => gs * mu) x; map (fun s => gs * (s - 1 / s)) y]
  | MvnEmpiricalKl =>
      let z := nth 2 xs [] in
      [map3 (fun mu s zi => gs * ((zi - mu) / s / s)) x y z;
       map3 (fun mu s zi => gs * (((zi - mu) / s * ((zi - mu) / s) - 1) / s)) x y z;
       map3 (fun mu s zi => gs * (zi - (zi - mu) / s / s)) x y z]
  | BernoulliNeglogpdf =>
      [map2 (fun p b => gs * ((1 - b) / (1 - p) - b / p)) x y;
       map (fun p => gs * (s_log K (1 - p) - s_log K p)) x]
  end.

(** ** Random operators: gradient of the log density at sample [x] with
    respect to each parent, in order *)

Definition rop_score (o : rop) (xs : list tensor) (x : tensor) : list tensor :=
  let mu := nth 0 xs [] in
  let sigma := nth 1 xs [] in
  match o with
  | Mvn =>
      [map3 (fun xi mi si => (xi - mi) / (si * si)) x mu sigma;
       map3 (fun xi mi si => ((xi - mi) * (xi - mi) - si * si) / (si * si * si)) x mu sigma]
  | MvnStd => []
  end.

End Semantics.

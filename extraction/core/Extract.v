(** This file describes the extraction of the Certigrad definitions to
    OCaml, and holds every realization the oracle trusts.

    The scalar record [scalar_ops] is instantiated at OCaml's [float]
    ([float_ops] below); Coq's [R] is never mapped to anything.  The float
    type and its primitives are declared here as [Parameter]s and realized
    by [Extract Constant]; each realization is documented next to it.  This
    file is the trusted base of the oracle, together with the standard
    extraction maps [ExtrOcamlBasic] (bool, option, list, prod, sum to
    OCaml's), [ExtrOcamlNativeString] (Coq strings to OCaml strings) and
    [ExtrOcamlNatInt] (nat to OCaml int: shapes and indices stay far below
    max_int). *)

From Coq Require Import Extraction ExtrOcamlBasic ExtrOcamlNativeString ExtrOcamlNatInt.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed Backprop BackpropEst ForwardOnce Transform AevbGraph.
From Coq Require QArith.
From Certigrad Require Import Intervals Certify.

(** * The trusted float primitives *)

(** IEEE 754 binary64, OCaml's [float]. *)
Parameter float64 : Type.
Extract Constant float64 => "float".

(** Exact constants. *)
Parameter f_zero f_one : float64.
Extract Constant f_zero => "0.0".
Extract Constant f_one => "1.0".

(** The correctly rounded IEEE operations of OCaml. *)
Parameter f_add f_sub f_mul f_div : float64 -> float64 -> float64.
Extract Constant f_add => "( +. )".
Extract Constant f_sub => "( -. )".
Extract Constant f_mul => "( *. )".
Extract Constant f_div => "( /. )".

(** Negation: flips the sign bit (exact). *)
Parameter f_neg : float64 -> float64.
Extract Constant f_neg => "(fun x -> -. x)".

(** exp, natural log and sqrt of the C library (libm) through OCaml's
    [Stdlib.exp], [Stdlib.log], [Stdlib.sqrt] (sqrt is correctly rounded;
    exp and log are faithful to within about 1 ulp on glibc). *)
Parameter f_exp f_log f_sqrt : float64 -> float64.
Extract Constant f_exp => "Stdlib.exp".
Extract Constant f_log => "Stdlib.log".
Extract Constant f_sqrt => "Stdlib.sqrt".

(** sigmoid x = 1 / (1 + exp (-x)), branching on the sign so that exp never
    overflows: for x >= 0, 1 / (1 + exp (-x)); for x < 0, with e = exp x,
    e / (1 + e).  Both equal the real formula. *)
Parameter f_sigmoid : float64 -> float64.
Extract Constant f_sigmoid =>
  "(fun x -> if x >= 0.0 then 1.0 /. (1.0 +. Stdlib.exp (-. x))
             else let e = Stdlib.exp x in e /. (1.0 +. e))".

(** softplus x = ln (1 + exp x), computed as max(x, 0) + log1p(exp(-|x|)):
    the same real number (ln(1 + e^x) = x + ln(1 + e^-x) for x >= 0), with
    no overflow for large x and no loss to cancellation for very negative
    x ([Float.log1p] is libm's log1p). *)
Parameter f_softplus : float64 -> float64.
Extract Constant f_softplus =>
  "(fun x -> Float.max x 0.0 +. Float.log1p (Stdlib.exp (-. (Float.abs x))))".

(** Order and equality decisions: IEEE comparisons on [float]
    ([-0.0 = 0.0]; any comparison with nan is false, so a nan entry fails
    every domain check; the oracle rejects nan and inf on input). *)
Parameter f_ltb f_eqb : float64 -> float64 -> bool.
Extract Constant f_ltb => "(fun (x : float) (y : float) -> x < y)".
Extract Constant f_eqb => "(fun (x : float) (y : float) -> x = y)".

(** The order as a proposition: erased by extraction, never used by the
    oracle. *)
Definition f_lt (x y : float64) : Prop := f_ltb x y = true.

Definition float_ops : scalar_ops float64 := {|
  s_zero := f_zero;
  s_one := f_one;
  s_add := f_add;
  s_sub := f_sub;
  s_mul := f_mul;
  s_div := f_div;
  s_neg := f_neg;
  s_exp := f_exp;
  s_log := f_log;
  s_sqrt := f_sqrt;
  s_sigmoid := f_sigmoid;
  s_softplus := f_softplus;
  s_lt := f_lt;
  s_ltb := f_ltb;
  s_eqb := f_eqb
|}.

(** * Tail-recursive list functions

    OCaml runs the extracted structural recursions on the system stack, which
    overflows on tensors of a few hundred thousand entries.  These list
    functions are realized by tail-recursive OCaml code (built on
    [List.rev_append], [List.rev_map], [List.rev], [List.length], [List.init])
    that computes the same list as the Coq definition for every argument:
    - [length], [app], [rev], [concat], [map]: the standard meaning;
    - [combine], [map2], [map3], [cons_each]: pairwise, truncated to the
      shortest list, as the Coq definitions do;
    - [firstn n l]: the first [min n (length l)] elements;
    - [repeat x n]: [n] copies of [x]. *)

Extract Constant List.length => "List.length".
Extract Constant List.app => "(fun l m -> List.rev_append (List.rev l) m)".
Extract Constant List.rev => "List.rev".
Extract Constant List.concat =>
  "(fun ls -> List.rev (List.fold_left (fun acc l -> List.rev_append l acc) [] ls))".
Extract Constant List.map => "(fun f l -> List.rev (List.rev_map f l))".
Extract Constant List.combine =>
  "(fun l m -> let rec go acc l m = match l, m with
      | x :: l', y :: m' -> go ((x, y) :: acc) l' m' | _ -> List.rev acc in go [] l m)".
Extract Constant List.firstn =>
  "(fun n l -> let rec go acc n l = match l with
      | x :: l' when n > 0 -> go (x :: acc) (n - 1) l' | _ -> List.rev acc in go [] n l)".
Extract Constant List.repeat => "(fun x n -> List.init (max n 0) (fun _ -> x))".
Extract Constant Tensor.map2 =>
  "(fun f l m -> let rec go acc l m = match l, m with
      | x :: l', y :: m' -> go (f x y :: acc) l' m' | _ -> List.rev acc in go [] l m)".
Extract Constant Tensor.map3 =>
  "(fun f l m k -> let rec go acc l m k = match l, m, k with
      | x :: l', y :: m', z :: k' -> go (f x y z :: acc) l' m' k' | _ -> List.rev acc in go [] l m k)".
Extract Constant Tensor.cons_each =>
  "(fun r cs -> let rec go acc r cs = match r, cs with
      | x :: r', c :: cs' -> go ((x :: c) :: acc) r' cs' | _ -> List.rev acc in go [] r cs)".

(** * The matrix product on arrays

    [Tensor.gemm] is realized by [Gemm_arrays.gemm]
    (extraction/core/gemm_arrays.ml), a transcription of the loops of
    [GemmLoops.gemm_loops]: entry (i, j) the left fold over [l] from [s_zero]
    of [s_add acc (s_mul a(i,l) b(l,j))], proved equal to [gemm] on
    well-shaped arguments for every scalar record ([gemm_loops_eq]);
    ill-shaped arguments raise [Failure] instead of returning the truncated
    product.  For the oracle's [float_ops] it runs on unboxed float arrays
    with [+.] and [*.] (the realizations of [f_add] and [f_mul] above); for
    any other record, on arrays with the record's own fields. *)

Extract Constant Tensor.gemm =>
  "(fun k m kk n a b -> Gemm_arrays.gemm k.s_add k.s_mul k.s_zero k m kk n a b)".

(** The list definition of [Tensor.gemm], extracted as written: its body,
    unfolded so that it does not go through the realization above
    ([ref_gemm_lists_is_gemm]).  The golden tests (extraction/test) compare
    the realization with it, bit for bit. *)
Definition ref_gemm_lists (m k n : nat) (A B : list float64) : list float64 :=
  let cols := transpose n (rows k n B) in
  List.concat (List.map (fun a => List.map (fun b => dot float_ops a b) cols) (rows m k A)).

Lemma ref_gemm_lists_is_gemm m k n A B : ref_gemm_lists m k n A B = gemm float_ops m k n A B.
Proof. reflexivity. Qed.

(** * The oracle's entry points, at [float64] *)

Definition ref_all_ops : list (op float64) := all_ops float_ops.
Definition ref_op_of_name : String.string -> option (op float64) := op_of_name float_ops.
Definition ref_check_graph : graph float64 -> check_result := @check_graph float64.
Definition ref_check_data : graph float64 -> env float64 -> env float64 -> check_result :=
  @check_data float64.
Definition ref_forward_checked := forward_checked float_ops.
Definition ref_forward := forward float_ops.
Definition ref_total_cost := total_cost float_ops.
Definition ref_backprop := backprop float_ops.
Definition ref_backprop_from := backprop_from float_ops.
Definition ref_naive_backprop := naive_backprop float_ops.
(** The estimator choice of BackpropEst.v ([backprop_est_all]: [AllCosts]
    is [backprop]); from the forward values, as [ref_backprop_from]. *)
Definition ref_backprop_est_from := backprop_est_from float_ops.
Definition ref_naive_est_grads := naive_est_grads float_ops.
Definition ref_integrate_kl : String.string -> graph float64 -> res (graph float64) :=
  @integrate_kl float64.
Definition ref_reparameterize : String.string -> String.string -> graph float64 -> res (graph float64) :=
  @reparameterize float64.
Definition ref_naive_aevb : nat -> nat -> nat -> nat -> graph float64 := @naive_aevb float64.
Definition ref_aevb_graph : nat -> nat -> nat -> nat -> graph float64 := @aevb_graph float64.
(** The checker of Certify.v (its soundness: [certify_sound]) and the exact
    reader of the boxes' end points. *)
Definition ref_certify : graph float64 -> list (String.string * itv) -> verdict := @certify float64.
Definition ref_eps_name : String.string -> String.string := eps_name.
Definition ref_certify_version : String.string := certify_version.
Definition ref_certify_theorem : String.string := certify_theorem.
Definition ref_q_of_decimal : String.string -> option QArith.QArith_base.Q := q_of_decimal.

Extraction "certigrad_core.ml"
  ref_all_ops ref_op_of_name ref_check_graph ref_check_data ref_forward_checked
  ref_forward ref_total_cost ref_backprop ref_backprop_from ref_naive_backprop ref_backprop_est_from
  ref_naive_est_grads
  ref_integrate_kl ref_reparameterize ref_naive_aevb ref_aevb_graph ref_gemm_lists gemm
  ref_certify ref_eps_name ref_certify_version ref_certify_theorem ref_q_of_decimal
  op_name op_kind op_arity op_has_attr op_set_attr op_domain op_domain_desc
  op_shape_rule shape_rule_name shape_size shape_valid
  node_name node_ref all_refs rand_refs.

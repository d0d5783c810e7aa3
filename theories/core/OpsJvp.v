(** This file describes the forward-mode tangent of each deterministic
    operator at the real numbers, [dop_jvp o ss xs dxs]: the derivative of
    the output along parent values [xs] moving with tangents [dxs].  It is
    the witness [dv] of [dop_correct] (OpsSpec.v, proved in OpsCorrect.v).

    Elementwise operators give, entry by entry, the partial derivatives
    times the parent tangents ([tabulate] over the output size);
    reductions the sum of those; [gemm] the product rule
    [dA B + A dB].  The file also proves the scalar derivatives the
    operators need, in the form [is_derive f x (f' x)] (Coquelicot), and
    the chain, sum and product rules in the [R] form used by OpsCorrect.v. *)

From Coq Require Import Reals Lia Lra.
From Coquelicot Require Import Coquelicot.
From Coq Require Import List.
From Certigrad Require Import Scalar Tensor Ops TensorFacts.
Import ListNotations.

Local Open Scope R_scope.

(** * The tangent of each operator *)

Definition dop_jvp (o : dop R) (ss : list shape) (xs dxs : list (list R)) : list R :=
  let x := nth 0 xs [] in
  let y := nth 1 xs [] in
  let dx := nth 0 dxs [] in
  let dy := nth 1 dxs [] in
  let dz := nth 2 dxs [] in
  let n := length x in
  let e k l := nth k l 0 in
  match o with
  | Scale a => tabulate n (fun k => a * e k dx)
  | Neg => tabulate n (fun k => - e k dx)
  | Exp => tabulate n (fun k => exp (e k x) * e k dx)
  | Log => tabulate n (fun k => / e k x * e k dx)
  | Sqrt => tabulate n (fun k => / (2 * sqrt (e k x)) * e k dx)
  | Sigmoid =>
      tabulate n (fun k => R_sigmoid (e k x) * (1 - R_sigmoid (e k x)) * e k dx)
  | Softplus => tabulate n (fun k => R_sigmoid (e k x) * e k dx)
  | Add => tabulate n (fun k => e k dx + e k dy)
  | Sub => tabulate n (fun k => e k dx - e k dy)
  | Mul => tabulate n (fun k => e k y * e k dx + e k x * e k dy)
  | Div => tabulate n (fun k => / e k y * e k dx + - (e k x / (e k y * e k y)) * e k dy)
  | Sum => [isum n (fun k => e k dx)]
  | Gemm =>
      let '(m, p, q) := gemm_dims ss in
      vadd R_ops (gemm R_ops m p q dx y) (gemm R_ops m p q x dy)
  | MulAdd => tabulate n (fun k => e k y * e k dx + e k x * e k dy + e k dz)
  | MvnKl =>
      (* x = mu, y = sigma *)
      [isum n (fun k => e k x * e k dx + (e k y - 1 / e k y) * e k dy)]
  | MvnEmpiricalKl =>
      (* x = mu, y = sigma, z = the sample *)
      let z := nth 2 xs [] in
      [isum n (fun k => (e k z - e k x) / e k y / e k y * e k dx
                        + (((e k z - e k x) / e k y * ((e k z - e k x) / e k y) - 1) / e k y) * e k dy
                        + (e k z - (e k z - e k x) / e k y / e k y) * e k dz)]
  | BernoulliNeglogpdf =>
      (* x = p, y = the observed x *)
      [isum n (fun k => ((1 - e k y) / (1 - e k x) - e k y / e k x) * e k dx
                        + (ln (1 - e k x) - ln (e k x)) * e k dy)]
  end.

(** * Derivative rules in the form used by the operator proofs *)

Lemma is_derive_eq (f : R -> R) (x l l' : R) : is_derive f x l -> l = l' -> is_derive f x l'.
Proof. intros H <-. exact H. Qed.

Lemma D_const (c t0 : R) : is_derive (fun _ : R => c) t0 0.
Proof. exact (is_derive_const (K := R_AbsRing) (V := R_NormedModule) c t0). Qed.

Lemma D_comp (F : R -> R) (F'x : R) (a : R -> R) (da t0 : R) :
  is_derive F (a t0) F'x -> is_derive a t0 da ->
  is_derive (fun t => F (a t)) t0 (F'x * da).
Proof.
  intros HF Ha.
  apply is_derive_eq with (scal da F'x).
  - exact (is_derive_comp (K := R_AbsRing) (V := R_NormedModule) F a t0 F'x da HF Ha).
  - change (da * F'x = F'x * da). ring.
Qed.

Lemma D_plus (a b : R -> R) (da db t0 : R) :
  is_derive a t0 da -> is_derive b t0 db ->
  is_derive (fun t => a t + b t) t0 (da + db).
Proof.
  intros Ha Hb.
  exact (is_derive_plus (K := R_AbsRing) (V := R_NormedModule) a b t0 da db Ha Hb).
Qed.

Lemma D_opp (a : R -> R) (da t0 : R) :
  is_derive a t0 da -> is_derive (fun t => - a t) t0 (- da).
Proof.
  intros Ha. exact (is_derive_opp (K := R_AbsRing) (V := R_NormedModule) a t0 da Ha).
Qed.

Lemma D_minus (a b : R -> R) (da db t0 : R) :
  is_derive a t0 da -> is_derive b t0 db ->
  is_derive (fun t => a t - b t) t0 (da - db).
Proof.
  intros Ha Hb.
  exact (is_derive_minus (K := R_AbsRing) (V := R_NormedModule) a b t0 da db Ha Hb).
Qed.

Lemma D_mult (a b : R -> R) (da db t0 : R) :
  is_derive a t0 da -> is_derive b t0 db ->
  is_derive (fun t => a t * b t) t0 (b t0 * da + a t0 * db).
Proof.
  intros Ha Hb.
  apply is_derive_eq with (plus (mult da (b t0)) (mult (a t0) db)).
  - apply (is_derive_mult (K := R_AbsRing)); auto.
    intros; change (n * m = m * n); ring.
  - change (da * b t0 + a t0 * db = b t0 * da + a t0 * db). ring.
Qed.

Lemma D_div (a b : R -> R) (da db t0 : R) :
  b t0 <> 0 -> is_derive a t0 da -> is_derive b t0 db ->
  is_derive (fun t => a t / b t) t0 (/ b t0 * da + - (a t0 / (b t0 * b t0)) * db).
Proof.
  intros Hb0 Ha Hb.
  apply is_derive_eq with ((da * b t0 - a t0 * db) / b t0 ^ 2).
  - apply is_derive_div; assumption.
  - field. exact Hb0.
Qed.

(** * Derivatives of the scalar functions *)

Lemma D_exp x : is_derive exp x (exp x).
Proof. apply is_derive_exp. Qed.

Lemma D_ln x : 0 < x -> is_derive ln x (/ x).
Proof. apply is_derive_ln. Qed.

Lemma D_sqrt x : 0 < x -> is_derive sqrt x (/ (2 * sqrt x)).
Proof.
  intros Hx.
  apply is_derive_eq with (1 / (2 * sqrt x)).
  - apply (is_derive_sqrt (fun t => t) x 1); [apply (is_derive_id (K := R_AbsRing)) | exact Hx].
  - unfold Rdiv. ring.
Qed.

Lemma one_plus_exp_pos x : 0 < 1 + exp x.
Proof. pose proof (exp_pos x). lra. Qed.

(** [sigmoid' = sigmoid (1 - sigmoid)]. *)
Lemma D_sigmoid x : is_derive R_sigmoid x (R_sigmoid x * (1 - R_sigmoid x)).
Proof.
  unfold R_sigmoid. pose proof (one_plus_exp_pos (- x)) as H.
  auto_derive.
  - lra.
  - field. lra.
Qed.

(** [softplus' = sigmoid]. *)
Lemma D_softplus x : is_derive R_softplus x (R_sigmoid x).
Proof.
  unfold R_softplus, R_sigmoid. pose proof (one_plus_exp_pos x) as H.
  pose proof (exp_pos x) as Hx.
  auto_derive.
  - lra.
  - rewrite exp_Ropp. field. split; lra.
Qed.

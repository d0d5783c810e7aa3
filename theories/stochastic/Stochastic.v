(** * Semantics of stochastic graphs

    This file gives a stochastic graph its meaning at the real numbers: the
    distribution of the environment obtained by running the nodes in order,
    and expectations under it as iterated Lebesgue integrals.

    - [gauss_pdf m s x]: the density of N(m, s^2) at [x] ([s] a standard
      deviation).
    - [Lint f]: the Lebesgue integral of [f : R -> R] over the whole line
      (mathcomp-analysis [lebesgue_measure], on Stdlib [R]); [Lintegrable f]:
      [f] is Lebesgue integrable (measurable with a finite integral of [|f|]).
      [Lint f] is [0] when the integral of [f] is not finite.
    - [dist A]: a distribution over [A] built from scalar draws with a
      density: [Ret a] is the point [a]; [Draw dens k] draws [x] with density
      [dens] (w.r.t. Lebesgue measure) and continues with [k x].
      [expect F D] is the expectation of [F] under [D]: one Lebesgue integral
      per draw, innermost last, [Lint (fun x => dens x * expect F (k x))].
    - [run_nodes]: the graph's nodes run in order from an environment of
      values; a deterministic node computes its value from its parents; a
      random node of [n] entries draws them one at a time, entry [k] from
      N(mu_k, sigma_k^2) ([mvn], parents mu and sigma) or N(0, 1)
      ([mvn_std]); the result is the final environment together with the
      draws (an environment of the random nodes' values, the argument that
      [forward] and [backprop] take).
    - [graph_dist g inputs], [expected_cost g inputs] (the expectation of
      the total cost, E[sum of costs]) and [expected_grad g inputs p j]
      (the expectation of entry [j] of [backprop]'s result for parameter
      [p], over the same draws).
    - [set_input_entry inputs p j t]: the inputs with entry [j] of [p]
      replaced by [t] (the curve along which the theorem differentiates).

    The last section proves the facts about [Lint] the unbiasedness proof
    uses (linearity, differentiation under [Lint] from Leibniz.v,
    integrability of the derivative), stated with Stdlib/Coquelicot notions
    so that the other files need not import mathcomp-analysis.  Facts about
    the Gaussian density itself (mass 1, moments, integrability, uniform
    domination) are in GaussianBridge.v. *)

From Coq Require Import Reals.
From Certigrad Require Import Preamble.
(* Coq's implicit-argument defaults, not mathcomp's: see Preamble.v. *)
Unset Implicit Arguments.
Set Strict Implicit.
Set Printing Implicit Defensive.
From Certigrad Require Import Leibniz DeriveBridge.
(* The Stdlib list functions ([map], [nth], [seq]) and Coquelicot's
   derivatives, imported last, take precedence over the mathcomp names. *)
From Coq Require Import String List.
From Coquelicot Require Import Coquelicot.
From Certigrad Require Import Scalar Tensor Ops Graph Backprop.
Import ListNotations.

(** * The Lebesgue integral over R *)


Definition Lint (f : R -> R) : R :=
  fine (\int[@lebesgue_measure real_realType]_(x in setT) (f x)%:E)%E.

Definition Lintegrable (f : R -> R) : Prop :=
  (@lebesgue_measure real_realType).-integrable setT (EFin \o f).

Local Open Scope R_scope.

(** * The Gaussian density *)

(** Density of N(m, s^2) at [x], for [s > 0]. *)
Definition gauss_pdf (m s x : R) : R :=
  exp (- ((x - m) * (x - m)) / (2 * (s * s))) / (s * sqrt (2 * PI)).

(** * Distributions built from scalar draws *)

Inductive dist (A : Type) : Type :=
| Ret (a : A)
| Draw (dens : R -> R) (k : R -> dist A).

Arguments Ret {A} a.
Arguments Draw {A} dens k.

Fixpoint expect {A : Type} (F : A -> R) (D : dist A) : R :=
  match D with
  | Ret a => F a
  | Draw dens k => Lint (fun x => dens x * expect F (k x))
  end.

(** Draw one scalar per density of [ds], in order, and continue with the
    list of the draws. *)
Fixpoint draw_list {A : Type} (ds : list (R -> R)) (k : list R -> dist A) : dist A :=
  match ds with
  | [] => k []
  | d :: ds' => Draw d (fun x => draw_list ds' (fun xs => k (x :: xs)))
  end.

(** * Random nodes *)

(** The density of entry [k] of a random node with operator [o], whose
    parents have the values [xs]: N(mu_k, sigma_k^2) for [mvn] (parents mu,
    sigma), N(0, 1) for [mvn_std]. *)
Definition entry_dens (o : rop) (xs : list (list R)) (k : nat) : R -> R :=
  match o with
  | Mvn => gauss_pdf (nth k (nth 0 xs []) 0) (nth k (nth 1 xs []) 0)
  | MvnStd => gauss_pdf 0 1
  end.

(** The densities of the [n] entries, in order. *)
Definition rand_dens (o : rop) (xs : list (list R)) (n : nat) : list (R -> R) :=
  map (entry_dens o xs) (seq 0 n).

(** * Running the nodes *)

(** Run [ns] from the values [vals] and the draws [draws] made so far;
    [se] gives the shapes of the references (for the operators' shape
    arguments).  The result is a distribution over the pairs (final values,
    final draws); each new value or draw is put in front. *)
Fixpoint run_nodes (se : senv) (ns : list (node R)) (vals draws : env R)
    : dist (env R * env R) :=
  match ns with
  | [] => Ret (vals, draws)
  | n :: ns' =>
      match n with
      | NDet r o ps =>
          run_nodes se ns'
            ((ref_name r, dop_forward R_ops o (parent_shapes se ps) (map (find_val vals) ps))
               :: vals) draws
      | NRand r o ps =>
          draw_list (rand_dens o (map (find_val vals) ps) (shape_size (ref_shape r)))
            (fun x => run_nodes se ns' ((ref_name r, x) :: vals) ((ref_name r, x) :: draws))
      end
  end.

(** The distribution of (environment, draws) of a graph run from [inputs]. *)
Definition graph_dist (g : graph R) (inputs : env R) : dist (env R * env R) :=
  run_nodes (shape_env g) (g_nodes g) inputs [].

(** E[sum of costs]. *)
Definition expected_cost (g : graph R) (inputs : env R) : R :=
  expect (fun vd => total_cost R_ops g (fst vd)) (graph_dist g inputs).

(** E[entry [j] of backprop's gradient for [p]], over the same draws: the
    draws of each run are given to the very [backprop] of Backprop.v. *)
Definition expected_grad (g : graph R) (inputs : env R) (p : string) (j : nat) : R :=
  expect (fun vd => nth j (find_val (backprop R_ops g inputs (snd vd)) p) 0)
    (graph_dist g inputs).

(** * Moving one entry of one input *)

Fixpoint replace_at {A : Type} (j : nat) (a : A) (l : list A) : list A :=
  match l, j with
  | [], _ => []
  | _ :: l', O => a :: l'
  | x :: l', S j' => x :: replace_at j' a l'
  end.

(** Entry [j] of the value of [p] (its first binding) replaced by [t]. *)
Fixpoint set_input_entry (e : env R) (p : string) (j : nat) (t : R) : env R :=
  match e with
  | [] => []
  | (k, v) :: e' =>
      if String.eqb p k then (k, replace_at j t v) :: e'
      else (k, v) :: set_input_entry e' p j t
  end.

(** * Facts about [Lint] *)

Section Lint_facts.
Local Open Scope ring_scope.

Let in_itv_oo (a b t : R) : Rlt a t /\ Rlt t b -> t \in `]a, b[.
Proof. by move=> [/RltP at_ /RltP tb]; rewrite in_itv /= at_ tb. Qed.

Let in_itv_oo_inv (a b t : R) : t \in `]a, b[ -> Rlt a t /\ Rlt t b.
Proof. by rewrite in_itv /= => /andP[/RltP ? /RltP ?]. Qed.

Lemma Lint_ext (f g : R -> R) : (forall x, f x = g x) -> Lint f = Lint g.
Proof. by move=> fg; congr Lint; apply: funext. Qed.

(** Linearity, for integrable functions. *)
Lemma Lint_plus_scal (f g : R -> R) (c : R) :
  Lintegrable f -> Lintegrable g ->
  Lint (fun x => Rplus (f x) (Rmult c (g x))) = Rplus (Lint f) (Rmult c (Lint g)).
Proof.
move=> If Ig; rewrite /Lint.
have Icg : Lintegrable (fun x => Rmult c (g x)).
  have := integrablerM measurableT c Ig.
  by apply: eq_integrable => // x _ /=; rewrite EFinM.
rewrite (_ : (fun x => (Rplus (f x) (Rmult c (g x)))%:E) =
             (EFin \o f) \+ (EFin \o (fun x => Rmult c (g x))))%E; last first.
  by apply: funext => x /=; rewrite EFinD.
rewrite integralD_EFin //.
rewrite (_ : (\int[lebesgue_measure]_(x in setT) (EFin \o (fun x => Rmult c (g x))) x)%E =
             (c%:E * \int[lebesgue_measure]_(x in setT) (EFin \o g) x)%E); last first.
  by rewrite -integralM //; apply: eq_integral => x _ /=; rewrite EFinM.
rewrite fineD //; last first.
- by rewrite fin_numM // integral_fune_fin_num.
- exact: integral_fune_fin_num.
by rewrite fineM // integral_fune_fin_num.
Qed.

(** Differentiation under [Lint] on an open interval (Leibniz.v through
    DeriveBridge.v), with the integrability of the derivative. *)
Lemma leibniz_Lint (f df : R -> R -> R) (G : R -> R) (a b : R) :
  (forall t, Rlt a t /\ Rlt t b -> Lintegrable (f t)) ->
  (forall x t, Rlt a t /\ Rlt t b -> is_derive (fun s => f s x) t (df t x)) ->
  Lintegrable G ->
  (forall x t, Rlt a t /\ Rlt t b -> Rle (Rabs (df t x)) (G x)) ->
  forall t, Rlt a t /\ Rlt t b ->
  is_derive (fun s => Lint (f s)) t (Lint (df t)) /\ Lintegrable (df t).
Proof.
move=> If Df IG DG t tab; split.
  apply: (@leibniz_Coquelicot _ _ (@lebesgue_measure real_realType) setT measurableT
            f df G a b) => //.
  - by move=> s /in_itv_oo_inv; apply: If.
  - by move=> x _ s /in_itv_oo_inv; apply: Df.
  - by move=> x _ s /in_itv_oo_inv sab; apply/RleP; apply: DG.
  exact: in_itv_oo.
apply: (@leibniz_integrable _ _ _ (@lebesgue_measure real_realType) setT measurableT
          f df G a b) => //.
- by move=> s /in_itv_oo_inv; apply: If.
- by move=> x _ s /in_itv_oo_inv sab; apply/is_derive_Coquelicot; apply: Df.
- by move=> x _ s /in_itv_oo_inv sab; apply/RleP; apply: DG.
exact: in_itv_oo.
Qed.

End Lint_facts.

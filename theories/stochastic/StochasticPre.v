(** * Preconditions of the unbiasedness theorem

    The theorem (Unbiased.v) differentiates [expected_cost g inputs] along
    one entry of one parameter: [t |-> expected_cost g (set_input_entry
    inputs p j t)] at [t0 = ] the current value of that entry, on an open
    interval [a < t0 < b].  To talk about all [t] at once, this file first
    describes a *family* of distributions indexed by [t]:

    - [pdist A]: like [dist A] (Stochastic.v), but each density and each
      final point depends on [t]: [PRet (h : R -> A)], [PDraw (dens : R -> R
      -> R) k] (density [dens t] at parameter [t]).  [pval F P t] is the
      expectation of [F] at [t].
    - [pnodes] / [pgraph g inputs p j]: the nodes of [g] run as in
      [run_nodes], with every value a function of [t];
      [expected_cost_pgraph] (Unbiased.v) proves
      [expected_cost g (set_input_entry inputs p j t) =
      pval (cost_of g) (pgraph g inputs p j) t].

    The named preconditions, on the interval [a < t < b]:

    - [reachable_domains g inputs p j a b]: for every [t] in the interval
      and every value of the draws, each node's parents are in its
      operator's domain (log/sqrt of positive values, division by nonzero
      values, [mvn_kl] and [mvn] with sigma > 0, [bernoulli_neglogpdf] with
      p in (0, 1)).  Stated along the run: a deterministic node's condition
      at the values computed so far, then every draw of every entry of a
      random node.
    - [is_gintegrable g inputs p j a b] (Certigrad's [is_gintegrable]): at
      every scalar draw, whatever the earlier draws, for every [t] in the
      interval, [x |-> dens_t(x) * V_t(x)] is Lebesgue integrable, where
      [dens_t] is the draw's density and [V_t(x)] the expected total cost of
      the rest of the run given the earlier draws and [x].
    - [can_differentiate_under_integrals g inputs p j a b] (Certigrad's name):
      at every scalar draw, whatever the earlier draws, there is a Lebesgue
      integrable [G] with [|d/dt (dens_t(x) * V_t(x))| <= G(x)] for every
      [x] and every [t] in the interval (the derivative is Coquelicot's
      [Derive]; its existence is not assumed: it follows from the operator
      domains).

    Also [inputs_fit g inputs]: every input has a value with its shape's
    number of entries. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List.
From Certigrad Require Import Scalar Tensor Ops Graph Stochastic.
Import ListNotations.

Local Open Scope R_scope.

(** * Families of distributions indexed by a real parameter *)

Inductive pdist (A : Type) : Type :=
| PRet (h : R -> A)
| PDraw (dens : R -> R -> R) (k : R -> pdist A).

Arguments PRet {A} h.
Arguments PDraw {A} dens k.

(** The expectation of [F] at parameter [t]. *)
Fixpoint pval {A : Type} (F : A -> R) (P : pdist A) (t : R) : R :=
  match P with
  | PRet h => F (h t)
  | PDraw dens k => Lint (fun x => dens t x * pval F (k x) t)
  end.

Fixpoint pdraw_list {A : Type} (ds : list (R -> R -> R)) (k : list R -> pdist A) : pdist A :=
  match ds with
  | [] => k []
  | d :: ds' => PDraw d (fun x => pdraw_list ds' (fun xs => k (x :: xs)))
  end.

(** [run_nodes] with values depending on [t]: [valsC t] are the values at
    [t]; a draw does not depend on [t]. *)
Fixpoint pnodes (se : senv) (ns : list (node R)) (valsC : R -> env R) (draws : env R)
    : pdist (env R * env R) :=
  match ns with
  | [] => PRet (fun t => (valsC t, draws))
  | n :: ns' =>
      match n with
      | NDet r o ps =>
          pnodes se ns'
            (fun t => (ref_name r, dop_forward R_ops o (parent_shapes se ps)
                                    (map (find_val (valsC t)) ps)) :: valsC t) draws
      | NRand r o ps =>
          pdraw_list
            (map (fun k t => entry_dens o (map (find_val (valsC t)) ps) k)
                 (seq 0 (shape_size (ref_shape r))))
            (fun x => pnodes se ns' (fun t => (ref_name r, x) :: valsC t)
                             ((ref_name r, x) :: draws))
      end
  end.

(** The inputs along the curve that moves entry [j] of [p]. *)
Definition input_curve (inputs : env R) (p : string) (j : nat) : R -> env R :=
  fun t => set_input_entry inputs p j t.

(** The graph's distribution as entry [j] of [p] moves. *)
Definition pgraph (g : graph R) (inputs : env R) (p : string) (j : nat)
    : pdist (env R * env R) :=
  pnodes (shape_env g) (g_nodes g) (input_curve inputs p j) [].

(** The total cost of a final (values, draws) pair. *)
Definition cost_of (g : graph R) (vd : env R * env R) : R := total_cost R_ops g (fst vd).

(** * Integrability and domination, for a family *)

Section Family.
Context {A : Type} (F : A -> R) (a b : R).

(** At every draw, for every [t] in the interval, the integrand is
    integrable. *)
Fixpoint gintegrable (P : pdist A) : Prop :=
  match P with
  | PRet _ => True
  | PDraw dens k =>
      (forall t, a < t < b -> Lintegrable (fun x => dens t x * pval F (k x) t)) /\
      forall x, gintegrable (k x)
  end.

(** At every draw, the [t]-derivative of the integrand is bounded on the
    interval by one integrable function. *)
Fixpoint dominated (P : pdist A) : Prop :=
  match P with
  | PRet _ => True
  | PDraw dens k =>
      (exists G : R -> R, Lintegrable G /\
         forall x t, a < t < b ->
           Rabs (Derive (fun s => dens s x * pval F (k x) s) t) <= G x) /\
      forall x, dominated (k x)
  end.

End Family.

(** * Operator domains at every reachable value *)

(** Every node's operator domain holds at its parents' values, for every
    [t] in the interval, along the run from [valsC], for every value of
    every draw (of the right number of entries). *)
Fixpoint domains_on (se : senv) (a b : R) (ns : list (node R)) (valsC : R -> env R) : Prop :=
  match ns with
  | [] => True
  | n :: ns' =>
      (forall t, a < t < b ->
         op_domain_holds R_ops (node_op n) (map (find_val (valsC t)) (node_parents n))) /\
      match n with
      | NDet r o ps =>
          domains_on se a b ns'
            (fun t => (ref_name r, dop_forward R_ops o (parent_shapes se ps)
                                    (map (find_val (valsC t)) ps)) :: valsC t)
      | NRand r o ps =>
          forall x : list R, length x = shape_size (ref_shape r) ->
          domains_on se a b ns' (fun t => (ref_name r, x) :: valsC t)
      end
  end.

(** * The named preconditions *)

Definition inputs_fit (g : graph R) (inputs : env R) : Prop :=
  Forall (fun r => exists v, lookup inputs (ref_name r) = Some v /\
                             length v = shape_size (ref_shape r)) (g_inputs g).

Definition reachable_domains (g : graph R) (inputs : env R) (p : string) (j : nat)
    (a b : R) : Prop :=
  domains_on (shape_env g) a b (g_nodes g) (input_curve inputs p j).

Definition is_gintegrable (g : graph R) (inputs : env R) (p : string) (j : nat)
    (a b : R) : Prop :=
  gintegrable (cost_of g) a b (pgraph g inputs p j).

Definition can_differentiate_under_integrals (g : graph R) (inputs : env R) (p : string)
    (j : nat) (a b : R) : Prop :=
  dominated (cost_of g) a b (pgraph g inputs p j).

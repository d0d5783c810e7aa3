(** This file describes backprop with a choice of estimator for the score
    terms of the random nodes (issue 14).

    [backprop] (Backprop.v) multiplies the score gradient of every random
    node by the total cost [C].  [backprop_est est] multiplies the score
    gradient of the random node [z] by [M_z]:
    - [AllCosts]: [M_z = C], Certigrad's estimator ([backprop_est_all]:
      it is [backprop]);
    - [Downstream bs]: [M_z] is the sum of the values of the costs
      reachable from [z] ([z] itself or a descendant of [z] through parent
      links, [reach]), minus the value of [z]'s baseline when [bs] names
      one for [z].  A baseline must be a graph input of shape [] (a
      scalar) and [z] a random node; otherwise [backprop_est] is an error
      naming [z] ([check_baselines]).

    Everything else (the seed, the deterministic pullbacks, the sweep order)
    is that of [backprop]: the sweep [sweep_est] is [sweep] with the
    multiplier chosen per node; [naive_adj_est] is the naive specification
    of Backprop.v with the same per-node multipliers, and
    [est_grads_eq_naive] says the sweep computes it. *)

From Coq Require Import List Arith Bool String.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed Backprop ForwardOnce BackpropNaive.
Import ListNotations.
Open Scope string_scope.

(** The estimator of the score terms. *)
Inductive estimator : Type :=
| AllCosts
| Downstream (baselines : list (string * string)).  (** (random node, baseline input) *)

Section BackpropEst.
Context {T : Type} (K : scalar_ops T).

Local Notation env := (env T).

(** ** Reachability *)

(** [acc] extended with every node of [ns], in order, that has a parent in
    the set built so far: for nodes in topological order and [acc = [z]],
    [z] and its descendants. *)
Fixpoint reach_from (ns : list (node T)) (acc : list string) : list string :=
  match ns with
  | [] => acc
  | n :: ns' =>
      reach_from ns'
        (if existsb (fun p => mem p acc) (node_parents n) then node_name n :: acc else acc)
  end.

(** The names reachable from [z]: [z] and its descendants. *)
Definition reach (g : graph T) (z : string) : list string := reach_from (g_nodes g) [z].

(** The sum of the values of the costs in [rs], in cost order. *)
Definition cost_in (g : graph T) (vals : env) (rs : list string) : T :=
  fold_left (fun acc c => if mem c rs then s_add K acc (scalar_of K (find_val vals c)) else acc)
    (g_costs g) (s_zero K).

(** ** The multiplier of each random node's score *)

Definition multiplier (est : estimator) (g : graph T) (vals : env) (z : string) : T :=
  match est with
  | AllCosts => total_cost K g vals
  | Downstream bs =>
      let m := cost_in g vals (reach g z) in
      match lookup bs z with
      | Some b => s_sub K m (scalar_of K (find_val vals b))
      | None => m
      end
  end.

(** [sweep] with the multiplier [mult z] for the node named [z]. *)
Fixpoint sweep_est (se : senv) (vals : env) (mult : string -> T) (rns : list (node T))
    (adj : env) : env :=
  match rns with
  | [] => adj
  | n :: rns' =>
      let g := find_val adj (node_name n) in
      sweep_est se vals mult rns'
        (add_contribs K (node_contribs K se vals (mult (node_name n)) n g) adj)
  end.

(** The gradient estimate for each parameter, from the forward values. *)
Definition est_grads (est : estimator) (g : graph T) (vals : env) : list (string * list T) :=
  let adj := sweep_est (shape_env g) vals (multiplier est g vals) (rev (g_nodes g))
                       (adj_init K g) in
  map (fun p => (p, find_val adj p)) (g_params g).

(** ** The baselines' check *)

Definition is_rand (n : node T) : bool := match n with NRand _ _ _ => true | NDet _ _ _ => false end.

(** The first baseline (z, b) that is not for a random node [z] or whose [b]
    is not a scalar input: [z] and what is wrong. *)
Fixpoint check_baselines (g : graph T) (bs : list (string * string)) : check_result :=
  match bs with
  | [] => CheckOk
  | (z, b) :: bs' =>
      if negb (existsb (fun n => is_rand n && String.eqb (node_name n) z) (g_nodes g)) then
        CheckErr z "has a baseline but is not a random node"
      else if negb (existsb (fun r => String.eqb (ref_name r) b) (g_inputs g)) then
        CheckErr z ("baseline '" ++ b ++ "' is not an input of the graph")
      else match find_shape (shape_env g) b with
        | [] => check_baselines g bs'
        | _ :: _ => CheckErr z ("baseline '" ++ b ++ "' is not a scalar (shape [])")
        end
  end.

Definition check_estimator (g : graph T) (est : estimator) : check_result :=
  match est with AllCosts => CheckOk | Downstream bs => check_baselines g bs end.

(** The estimate from the forward values [vals], or the baseline error. *)
Definition backprop_est_from (est : estimator) (g : graph T) (vals : env)
    : res (list (string * list T)) :=
  match check_estimator g est with
  | CheckOk => Ok (est_grads est g vals)
  | CheckErr z m => Err ("node '" ++ z ++ "': " ++ m)
  end.

Definition backprop_est (est : estimator) (g : graph T) (inputs draws : env)
    : res (list (string * list T)) :=
  backprop_est_from est g (forward K g inputs draws).

(** ** Certigrad's estimator is [backprop] *)

Lemma sweep_est_const se vals C rns adj :
  sweep_est se vals (fun _ => C) rns adj = sweep K se vals C rns adj.
Proof. revert adj. induction rns as [|n rns IH]; intros adj; simpl; [reflexivity|apply IH]. Qed.

Lemma est_grads_all g vals : est_grads AllCosts g vals = backprop_from K g vals.
Proof. unfold est_grads, backprop_from, multiplier. now rewrite sweep_est_const. Qed.

Theorem backprop_est_all g inputs draws :
  backprop_est AllCosts g inputs draws = Ok (backprop K g inputs draws).
Proof. unfold backprop_est, backprop_est_from. simpl. now rewrite est_grads_all. Qed.

(** With checked baselines, the estimate is [est_grads]. *)
Lemma backprop_est_ok est g inputs draws :
  check_estimator g est = CheckOk ->
  backprop_est est g inputs draws = Ok (est_grads est g (forward K g inputs draws)).
Proof. intros H. unfold backprop_est, backprop_est_from. now rewrite H. Qed.

(** ** The naive specification, with per-node multipliers *)

(** [naive_adj] with the multiplier [mult z] at the node named [z]. *)
Fixpoint naive_adj_est (g : graph T) (vals : env) (mult : string -> T) (ns : list (node T))
    (r : string) : list T :=
  match ns with
  | [] => seed K g r
  | n :: ns' =>
      contribs_to K r
        (node_contribs K (shape_env g) vals (mult (node_name n)) n
           (naive_adj_est g vals mult ns' (node_name n)))
        (naive_adj_est g vals mult ns' r)
  end.

(** One multiplier [C] at every node: the naive adjoint with cost [C]. *)
Lemma naive_adj_est_const g vals C ns r :
  naive_adj_est g vals (fun _ => C) ns r = naive_adj K g vals C ns r.
Proof. revert r; induction ns as [|n ns IH]; intros r; simpl; [reflexivity|now rewrite !IH]. Qed.

Lemma sweep_est_app se vals mult l1 l2 adj :
  sweep_est se vals mult (l1 ++ l2) adj = sweep_est se vals mult l2 (sweep_est se vals mult l1 adj).
Proof. revert adj; induction l1 as [|n l1 IH]; intros adj; simpl; [reflexivity|apply IH]. Qed.

(** The sweep computes the naive adjoint of every reference
    (BackpropNaive.v's [sweep_naive], per-node multipliers). *)
Lemma sweep_est_naive (g : graph T) (vals : env) (mult : string -> T) (ns : list (node T)) :
  (forall n, In n ns -> In (node_name n) (map ref_name (all_refs g))) ->
  forall r, In r (map ref_name (all_refs g)) ->
  find_val (sweep_est (shape_env g) vals mult (rev ns) (adj_init K g)) r =
  naive_adj_est g vals mult ns r.
Proof.
  induction ns as [|n ns IH]; intros Hns r Hr; simpl.
  - now apply find_val_adj_init.
  - rewrite sweep_est_app; simpl.
    rewrite find_val_add_contribs.
    assert (Hns' : forall m, In m ns -> In (node_name m) (map ref_name (all_refs g)))
      by (intros m Hm; apply Hns; now right).
    rewrite (IH Hns' r Hr).
    rewrite (IH Hns' (node_name n) (Hns n (or_introl eq_refl))).
    reflexivity.
Qed.

Definition naive_est_grads (est : estimator) (g : graph T) (vals : env) : list (string * list T) :=
  map (fun p => (p, naive_adj_est g vals (multiplier est g vals) (g_nodes g) p)) (g_params g).

Theorem est_grads_eq_naive (est : estimator) (g : graph T) (vals : env) :
  incl (g_params g) (map ref_name (all_refs g)) ->
  est_grads est g vals = naive_est_grads est g vals.
Proof.
  intros Hp. unfold est_grads, naive_est_grads. apply map_ext_in. intros p Hin. f_equal.
  apply sweep_est_naive; auto. intros n Hn. now apply node_name_in_refs.
Qed.

End BackpropEst.

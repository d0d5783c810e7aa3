(** * The mean over shards of stochastic backprop is unbiased

    Data-parallel training splits a global batch into [K] shards; shard [k]
    is a graph [G k] run from its inputs [I k] (the shared weights and the
    shard's data), with its own, independent draws.  Each process runs
    [backprop] on its shard's graph with its draws, and the gradients are
    averaged.  This file proves that the average is an unbiased estimate
    of the gradient of the mean expected cost (the objective of the global
    batch):

      d/dt (1/K) sum_k expected_cost (G k) (set_input_entry (I k) p j t) at t0
        = E[(1/K) sum_k entry j of backprop (G k) (I k) (draws of shard k)],

    the expectation over the independent joint of the [K] shards' graph
    distributions.

    - [dist_indep Ds]: the independent joint of a list of distributions: a
      draw of the first, then (independently) of the rest; a final point is
      the list of the final points, one per distribution.  Its expectation
      is the nested one, E over shard 0 of E over shard 1 ... of
      [f (s_0, ..., s_(K-1))] ([expect_dist_indep_cons]).
    - [expect_indep_isum]: linearity across independent components: if
      every [D k] is normalized ([dnormal], DistLinear.v) and [h k] is
      [dintegrable] under [D k] (RunFacts.v), then under the joint
      [sum_k h_k (s_k)] has expectation [sum_k E[h_k | D k]] (and is
      integrable; the joint is normalized).
    - [graph_dist_normal] (and [graph_dist_normal_at], from the domains of
      [backprop_unbiased]): a checked graph, inputs of their sizes, operator
      domains on every run: its distribution is normalized.
    - [shard_mean_unbiased]: the theorem, under the preconditions of
      [backprop_unbiased] for every shard (the same parameter [p], entry
      [j], value [t0] of the entry and interval [a < t0 < b]); no other
      hypothesis: the integrability of each shard's sampled gradient, which
      linearity needs, follows from them (GradIntegrable.v).  The proof:
      per shard [backprop_unbiased], the sum rule for derivatives, and
      [expect_indep_isum]. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Lia FunctionalExtensionality.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed GraphFacts.
From Certigrad Require Import Backprop ListSums OpsJvp WellFormedSound.
From Certigrad Require Import Stochastic StochasticPre RunFacts Unbiased DistRel DistLinear.
From Certigrad Require Import GradIntegrable.
Import ListNotations.
Local Open Scope R_scope.

(** * The independent joint of a list of distributions *)

Fixpoint dist_indep {A : Type} (Ds : list (dist A)) : dist (list A) :=
  match Ds with
  | [] => Ret []
  | D :: Ds' => dist_bind D (fun a => dmap (cons a) (dist_indep Ds'))
  end.

Section Helpers.
Context {A : Type}.

Lemma expect_dist_indep_cons (F : list A -> R) (D : dist A) (Ds : list (dist A)) :
  expect F (dist_indep (D :: Ds)) =
  expect (fun a => expect (fun l => F (a :: l)) (dist_indep Ds)) D.
Proof.
  simpl. rewrite expect_dist_bind. f_equal. apply functional_extensionality. intros a.
  apply expect_dmap.
Qed.

Lemma dnormal_dist_bind {B : Type} (D : dist B) (k : B -> dist A) :
  dnormal D -> (forall b, dnormal (k b)) -> dnormal (dist_bind D k).
Proof.
  induction D as [b|dens k' IH]; simpl; [auto|]. intros (Id & Md & Nk) Hk.
  split; [exact Id|]. split; [exact Md|]. intros x. apply IH; auto.
Qed.

Lemma dnormal_dmap {B : Type} (f : B -> A) (D : dist B) : dnormal D -> dnormal (dmap f D).
Proof. intros HD. apply dnormal_dist_bind; [exact HD|]. intros b. exact I. Qed.

Lemma dintegrable_dmap {B : Type} (F : A -> R) (f : B -> A) (D : dist B) :
  dintegrable (fun b => F (f b)) D -> dintegrable F (dmap f D).
Proof.
  intros H. apply dintegrable_dist_bind. split; [exact H|]. apply dist_all_true.
  intros b. exact I.
Qed.

(** [E[F + c] = E[F] + c] keeps integrability. *)
Lemma dintegrable_plus_const (F : A -> R) (D : dist A) (c : R) :
  dnormal D -> dintegrable F D -> dintegrable (fun a => F a + c) D.
Proof.
  induction D as [a|dens k IH]; simpl; [tauto|]. intros (Id & Md & Nk) [IF Ik]. split.
  - refine (proj1 (Lintegrable_ext (fun x => dens x * expect F (k x) + c * dens x) _ _) _).
    + intros x. rewrite expect_plus_const by auto. ring.
    + now apply Lintegrable_plus_scal.
  - intros x. apply IH; auto.
Qed.

Lemma expect_scal_r (F : A -> R) (D : dist A) (c : R) :
  dintegrable F D -> expect (fun a => F a * c) D = expect F D * c.
Proof.
  induction D as [a|dens k IH]; simpl; [reflexivity|]. intros [IF Ik].
  rewrite (Lint_ext _ (fun x => dens x * expect F (k x) * c))
    by (intros x; rewrite IH by auto; ring).
  now apply Lint_scal_r.
Qed.

End Helpers.

Section Indep.
Context {A : Type}.

(** Linearity across the independent components of the joint: component
    [k] of a final point is its [nth k] ([d]: any default). *)
Theorem expect_indep_isum (d : A) (K : nat) :
  forall (D : nat -> dist A) (h : nat -> A -> R),
  (forall k, (k < K)%nat -> dnormal (D k) /\ dintegrable (h k) (D k)) ->
  dnormal (dist_indep (map D (seq 0 K))) /\
  dintegrable (fun l => isum K (fun k => h k (nth k l d))) (dist_indep (map D (seq 0 K))) /\
  expect (fun l => isum K (fun k => h k (nth k l d))) (dist_indep (map D (seq 0 K))) =
  isum K (fun k => expect (h k) (D k)).
Proof.
  induction K as [|K IH]; intros D h HD.
  - simpl. split; [exact I|]. split; [exact I|reflexivity].
  - destruct (HD 0%nat ltac:(lia)) as [N0 I0].
    destruct (IH (fun k => D (S k)) (fun k => h (S k))) as (NJ & IJ & EJ).
    { intros k Hk. apply HD. lia. }
    set (J := dist_indep (map (fun k => D (S k)) (seq 0 K))) in *.
    set (S' := fun l => isum K (fun k => h (S k) (nth k l d))) in *.
    assert (Hsplit : forall a l, isum (S K) (fun k => h k (nth k (a :: l) d)) = h 0%nat a + S' l).
    { intros a l. rewrite isum_shift. reflexivity. }
    assert (Hinner : forall a, expect (fun l => h 0%nat a + S' l) J = h 0%nat a + expect S' J).
    { intros a. rewrite (expect_ext_all _ (fun l => S' l + h 0%nat a)) by
        (apply dist_all_true; intros; ring).
      rewrite expect_plus_const by assumption. ring. }
    assert (Hcomp : forall a, expect (fun l => isum (S K) (fun k => h k (nth k (a :: l) d))) J =
                              h 0%nat a + expect S' J).
    { intros a. rewrite <- Hinner. apply expect_ext_all, dist_all_true. intros l. apply Hsplit. }
    assert (Hjoint : dist_indep (map D (seq 0 (S K))) =
                     dist_bind (D 0%nat) (fun a => dmap (cons a) J)).
    { unfold J. cbn [seq map dist_indep]. rewrite <- seq_shift, map_map. reflexivity. }
    rewrite Hjoint. split; [|split].
    + apply dnormal_dist_bind; [exact N0|]. intros a. apply dnormal_dmap, NJ.
    + apply dintegrable_dist_bind. split.
      * refine (dintegrable_ext_all (fun a => h 0%nat a + expect S' J) _ _ _ _).
        -- apply dist_all_true. intros a. rewrite expect_dmap. symmetry. apply Hcomp.
        -- now apply dintegrable_plus_const.
      * apply dist_all_true. intros a. apply dintegrable_dmap.
        refine (dintegrable_ext_all (fun l => S' l + h 0%nat a) _ _ _ _).
        -- apply dist_all_true. intros l. rewrite Hsplit. ring.
        -- now apply dintegrable_plus_const.
    + change (dist_bind (D 0%nat) (fun a => dmap (cons a) J))
        with (dist_indep (D 0%nat :: map (fun k => D (S k)) (seq 0 K))).
      rewrite expect_dist_indep_cons.
      rewrite (expect_ext_all _ (fun a => h 0%nat a + expect S' J))
        by (apply dist_all_true; exact Hcomp).
      rewrite expect_plus_const by assumption. rewrite EJ, isum_shift. reflexivity.
Qed.

End Indep.

(** * A graph's distribution is normalized *)

Lemma graph_dist_normal (g : graph R) (inputs : env R) :
  check_graph g = CheckOk -> inputs_fit g inputs -> run_domains g inputs ->
  dnormal (graph_dist g inputs).
Proof.
  intros Hchk Hfit Hdom. pose proof (check_graph_sound g Hchk) as Hwf.
  apply (run_nodes_normal g (g_nodes g) (input_senv g)).
  - exact (proj1 (proj2 (proj2 (proj2 (proj2 Hwf))))).
  - apply wf_graph_good, Hwf.
  - intros r Hr. apply (input_values_sized g inputs Hwf Hfit r Hr).
  - exact Hdom.
Qed.

(** The same, from the domains of [backprop_unbiased]. *)
Lemma graph_dist_normal_at (g : graph R) (inputs : env R) (p : string) (j : nat) (a b : R) :
  check_graph g = CheckOk -> inputs_fit g inputs ->
  a < nth j (find_val inputs p) 0 < b -> reachable_domains g inputs p j a b ->
  dnormal (graph_dist g inputs).
Proof.
  intros Hchk Hfit Hab Hdom. apply (graph_dist_normal g inputs Hchk Hfit).
  pose proof (reachable_domains_at g inputs p j a b _ Hdom Hab) as Hd.
  pose proof (input_curve_at inputs p j) as Hc0. unfold input_curve in Hc0.
  rewrite Hc0 in Hd. exact Hd.
Qed.

(** The derivative of a finite sum. *)
Lemma is_derive_isum (K : nat) (f : nat -> R -> R) (df : nat -> R) (t0 : R) :
  (forall k, (k < K)%nat -> is_derive (f k) t0 (df k)) ->
  is_derive (fun t => isum K (fun k => f k t)) t0 (isum K df).
Proof.
  induction K as [|K IH]; intros H; simpl.
  - apply D_const.
  - apply D_plus; [apply IH; intros k Hk; apply H; lia|apply H; lia].
Qed.

(** * The theorem *)

(** [K] shards [(G k, I k)]; the draws of shard [k] are component [k] of a
    final point [vds] of the independent joint (its draws: [snd]). *)
Definition shard_mean_unbiased_statement : Prop :=
  forall (K : nat) (G : nat -> graph R) (I : nat -> env R) (p : string) (j : nat) (a b t0 : R),
  a < t0 < b ->
  (forall k, (k < K)%nat ->
     check_graph (G k) = CheckOk /\
     inputs_fit (G k) (I k) /\
     In p (g_params (G k)) /\
     (j < shape_size (find_shape (shape_env (G k)) p))%nat /\
     nth j (find_val (I k) p) 0 = t0 /\
     reachable_domains (G k) (I k) p j a b /\
     is_gintegrable (G k) (I k) p j a b /\
     can_differentiate_under_integrals (G k) (I k) p j a b) ->
  is_derive
    (fun t => isum K (fun k => expected_cost (G k) (set_input_entry (I k) p j t)) / INR K)
    t0
    (expect
       (fun vds => isum K (fun k =>
          nth j (find_val (backprop R_ops (G k) (I k) (snd (nth k vds ([], [])))) p) 0) / INR K)
       (dist_indep (map (fun k => graph_dist (G k) (I k)) (seq 0 K)))).

Theorem shard_mean_unbiased : shard_mean_unbiased_statement.
Proof.
  intros K G I p j a b t0 Hab Hpre.
  destruct (expect_indep_isum ([], []) K (fun k => graph_dist (G k) (I k))
              (fun k vd => nth j (find_val (backprop R_ops (G k) (I k) (snd vd)) p) 0))
    as (_ & IJ & EJ).
  { intros k Hk. destruct (Hpre k Hk) as (Hchk & Hfit & Hp & Hj & Ht0 & Hdom & Hgi & Hdu).
    split.
    2:{ apply (sampled_grad_dintegrable _ _ p j a b); auto. rewrite Ht0. exact Hab. }
    apply (graph_dist_normal_at _ _ p j a b Hchk Hfit); [|exact Hdom].
    rewrite Ht0. exact Hab. }
  unfold Rdiv. rewrite (expect_scal_r _ _ _ IJ). rewrite EJ.
  apply (is_derive_eq _ _ (isum K (fun k => expected_grad (G k) (I k) p j) * / INR K)).
  2:{ apply Rmult_eq_compat_r, isum_ext. intros k _. reflexivity. }
  eapply is_derive_eq; [apply D_mult; [|apply D_const]|].
  - apply (is_derive_isum K _ (fun k => expected_grad (G k) (I k) p j)). intros k Hk.
    destruct (Hpre k Hk) as (Hchk & Hfit & Hp & Hj & Ht0 & Hdom & Hgi & Hdu).
    rewrite <- Ht0. apply (backprop_unbiased (G k) (I k) p j a b); auto. rewrite Ht0. exact Hab.
  - cbv beta. ring.
Qed.

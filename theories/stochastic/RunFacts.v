(** * Preconditions at one input value

    StochasticPre.v states the preconditions of the unbiasedness theorem
    for a family of inputs (entry [j] of [p] moving on [a < t < b]).  The
    graph transformations (IntegrateKl.v, Reparameterize.v) preserve the
    expected cost at each input value separately; this file states the
    preconditions they need at one input, and derives them from the family
    ones at every [t] of the interval:

    - [dintegrable F D]: at every draw of [D], whatever the earlier draws,
      [x |-> dens x * E[F | x]] is Lebesgue integrable;
    - [run_domains g inputs]: every node's parents are in its operator's
      domain on every run from [inputs];
    - [pdist_at P t]: the member [t] of a family; [pval F P t = expect F
      (pdist_at P t)] and [pdist_at (pgraph g inputs p j) t] is
      [graph_dist g (set_input_entry inputs p j t)];
    - [is_gintegrable_at], [reachable_domains_at]: the family preconditions
      give the one-input ones at every [t] of the interval. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List FunctionalExtensionality.
From Certigrad Require Import Scalar Tensor Ops Graph Stochastic StochasticPre.
Import ListNotations.

Local Open Scope R_scope.

(** * Integrability at one input *)

Fixpoint dintegrable {A : Type} (F : A -> R) (D : dist A) : Prop :=
  match D with
  | Ret _ => True
  | Draw dens k =>
      Lintegrable (fun x => dens x * expect F (k x)) /\ forall x, dintegrable F (k x)
  end.

(** * The member [t] of a family *)

Fixpoint pdist_at {A : Type} (P : pdist A) (t : R) : dist A :=
  match P with
  | PRet h => Ret (h t)
  | PDraw dens k => Draw (dens t) (fun x => pdist_at (k x) t)
  end.

Lemma pval_at {A : Type} (F : A -> R) (P : pdist A) (t : R) :
  pval F P t = expect F (pdist_at P t).
Proof.
  induction P as [h|dens k IH]; simpl; [reflexivity|].
  apply Lint_ext. intros x. rewrite IH. reflexivity.
Qed.

Lemma gintegrable_at {A : Type} (F : A -> R) (a b : R) (P : pdist A) (t : R) :
  gintegrable F a b P -> a < t < b -> dintegrable F (pdist_at P t).
Proof.
  intros HP Ht. induction P as [h|dens k IH]; simpl; [exact I|].
  destruct HP as [Hi Hk]. split.
  - replace (fun x => dens t x * expect F (pdist_at (k x) t))
      with (fun x => dens t x * pval F (k x) t); [apply (Hi t Ht)|].
    apply functional_extensionality. intros x. rewrite pval_at. reflexivity.
  - intros x. apply IH, Hk.
Qed.

Lemma pdist_at_pdraw_list {X : Type} (ds : list (R -> R -> R)) (K : list R -> pdist X)
    (K' : list R -> dist X) (t : R) :
  (forall xs, pdist_at (K xs) t = K' xs) ->
  pdist_at (pdraw_list ds K) t = draw_list (map (fun d => d t) ds) K'.
Proof.
  revert K K'; induction ds as [|d ds IH]; simpl; intros K K' H; [apply H|].
  f_equal. apply functional_extensionality. intros x. apply IH. intros xs. apply H.
Qed.

Lemma pdist_at_pnodes (se : senv) (ns : list (node R)) :
  forall (valsC : R -> env R) (draws : env R) (t : R),
  pdist_at (pnodes se ns valsC draws) t = run_nodes se ns (valsC t) draws.
Proof.
  induction ns as [|n ns IH]; intros valsC draws t; [reflexivity|].
  destruct n as [r o ps|r o ps]; simpl; [apply IH|].
  rewrite (pdist_at_pdraw_list _ _
             (fun x => run_nodes se ns ((ref_name r, x) :: valsC t) ((ref_name r, x) :: draws)))
    by (intros xs; apply IH).
  unfold rand_dens. rewrite map_map. reflexivity.
Qed.

Corollary pgraph_at (g : graph R) (inputs : env R) (p : string) (j : nat) (t : R) :
  pdist_at (pgraph g inputs p j) t = graph_dist g (set_input_entry inputs p j t).
Proof. unfold pgraph, graph_dist. apply pdist_at_pnodes. Qed.

(** The family's integrability gives integrability at every input of the
    interval. *)
Corollary is_gintegrable_at (g : graph R) (inputs : env R) (p : string) (j : nat) (a b t : R) :
  is_gintegrable g inputs p j a b -> a < t < b ->
  dintegrable (cost_of g) (graph_dist g (set_input_entry inputs p j t)).
Proof.
  intros H Ht. rewrite <- pgraph_at. apply (gintegrable_at _ a b); assumption.
Qed.

(** * Domains at one input *)

(** Every node's operator domain holds at its parents' values on every run
    from [vals] (the family [domains_on] of a constant family). *)
Definition run_domains (g : graph R) (inputs : env R) : Prop :=
  domains_on (shape_env g) 0 1 (g_nodes g) (fun _ => inputs).

Lemma domains_on_at (se : senv) (a b t : R) (ns : list (node R)) :
  a < t < b -> forall valsC, domains_on se a b ns valsC ->
  domains_on se 0 1 ns (fun _ => valsC t).
Proof.
  intros Ht. induction ns as [|n ns IH]; intros valsC H; simpl; [exact I|].
  destruct H as [H0 H]. split; [intros; apply H0, Ht|].
  destruct n as [r o ps|r o ps].
  - apply (IH _ H).
  - intros x Hx. apply (IH _ (H x Hx)).
Qed.

Corollary reachable_domains_at (g : graph R) (inputs : env R) (p : string) (j : nat) (a b t : R) :
  reachable_domains g inputs p j a b -> a < t < b ->
  run_domains g (set_input_entry inputs p j t).
Proof.
  intros H Ht. apply (domains_on_at _ a b t _ Ht (input_curve inputs p j) H).
Qed.

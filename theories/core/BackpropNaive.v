(** The memoized sweep [backprop] equals its naive specification
    [naive_backprop], over any scalar record: both add the same terms in the
    same order (the theorem is an equality of lists of [T], so at OCaml
    floats the two agree bit for bit).

    The only hypothesis is that every parameter is a reference of the graph
    (true of every well-formed graph, [backprop_eq_naive_wf]): the adjoint
    table of the sweep has an entry for the references only, while the naive
    seed of an unknown name is the scalar zero. *)

From Coq Require Import List Arith Bool String.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed Backprop.
Import ListNotations.

Section Naive.
Context {T : Type} (K : scalar_ops T).

Local Notation env := (env T).

(** Adding to the adjoint of [k] changes only the first entry named [k];
    the empty tensor absorbs every addition ([vadd [] d = []]), so the
    equation holds whether or not [r] has an entry. *)
Lemma find_val_adj_add (k r : string) (d : list T) (adj : env) :
  find_val (adj_add K k d adj) r =
  if String.eqb k r then vadd K (find_val adj r) d else find_val adj r.
Proof.
  induction adj as [|[k' t] adj IH]; simpl.
  - unfold find_val; simpl. now destruct (String.eqb k r).
  - unfold find_val in *; simpl.
    destruct (String.eqb_spec k k') as [<-|Hk]; simpl.
    + destruct (String.eqb_spec r k) as [->|Hr].
      * now rewrite String.eqb_refl.
      * destruct (String.eqb_spec k r); [congruence|reflexivity].
    + destruct (String.eqb_spec r k') as [->|Hr].
      * destruct (String.eqb_spec k k'); [congruence|reflexivity].
      * exact IH.
Qed.

Lemma find_val_add_contribs (cs : list (string * list T)) (adj : env) (r : string) :
  find_val (add_contribs K cs adj) r = contribs_to K r cs (find_val adj r).
Proof.
  unfold add_contribs, contribs_to.
  revert adj; induction cs as [|[k d] cs IH]; intros adj; simpl; [reflexivity|].
  rewrite IH, find_val_adj_add. reflexivity.
Qed.

Lemma sweep_app (se : senv) (vals : env) (C : T) (l1 l2 : list (node T)) (adj : env) :
  sweep K se vals C (l1 ++ l2) adj = sweep K se vals C l2 (sweep K se vals C l1 adj).
Proof.
  revert adj; induction l1 as [|n l1 IH]; intros adj; simpl; [reflexivity|apply IH].
Qed.

(** The lookup in a table built by [map] from a list of references. *)
Lemma lookup_map_refs (f : shape -> list T) (rs : list reference) (r : string) :
  lookup (map (fun x => (ref_name x, f (ref_shape x))) rs) r =
  option_map f (lookup (map (fun x => (ref_name x, ref_shape x)) rs) r).
Proof.
  induction rs as [|x rs IH]; simpl; [reflexivity|].
  destruct (String.eqb r (ref_name x)); [reflexivity|exact IH].
Qed.

Lemma lookup_some_of_in {A : Type} (e : list (string * A)) (k : string) :
  In k (map fst e) -> exists a, lookup e k = Some a.
Proof.
  induction e as [|[k' a] e IH]; simpl; [tauto|].
  destruct (String.eqb_spec k k') as [->|Hk]; [eauto|].
  intros [->|H]; [congruence|auto].
Qed.

Lemma find_val_adj_init (g : graph T) (r : string) :
  In r (map ref_name (all_refs g)) ->
  find_val (adj_init K g) r = seed K g r.
Proof.
  intros Hr. unfold adj_init, seed.
  assert (Hgen : forall (A : env) cs,
    find_val (fold_left (fun a c => adj_add K c [s_one K] a) cs A) r =
    fold_left (fun a c => if String.eqb c r then vadd K a [s_one K] else a) cs (find_val A r)).
  { intros A cs; revert A; induction cs as [|c cs IH]; intros A; simpl; [reflexivity|].
    rewrite IH, find_val_adj_add. reflexivity. }
  rewrite Hgen. f_equal.
  unfold find_val, find_shape, shape_env.
  rewrite (lookup_map_refs (fun s => zeros K (shape_size s))).
  destruct (lookup_some_of_in (map (fun x => (ref_name x, ref_shape x)) (all_refs g)) r)
    as [s Hs].
  { now rewrite map_map. }
  now rewrite Hs.
Qed.

(** The sweep over the reverse of any list of nodes of the graph computes
    the naive adjoint of every reference. *)
Lemma sweep_naive (g : graph T) (vals : env) (C : T) (ns : list (node T)) :
  (forall n, In n ns -> In (node_name n) (map ref_name (all_refs g))) ->
  forall r, In r (map ref_name (all_refs g)) ->
  find_val (sweep K (shape_env g) vals C (rev ns) (adj_init K g)) r =
  naive_adj K g vals C ns r.
Proof.
  induction ns as [|n ns IH]; intros Hns r Hr; simpl.
  - now apply find_val_adj_init.
  - rewrite sweep_app; simpl.
    rewrite find_val_add_contribs.
    assert (Hns' : forall m, In m ns -> In (node_name m) (map ref_name (all_refs g)))
      by (intros m Hm; apply Hns; now right).
    rewrite (IH Hns' r Hr).
    rewrite (IH (fun m Hm => Hns m (or_intror Hm)) (node_name n) (Hns n (or_introl eq_refl))).
    reflexivity.
Qed.

Lemma node_name_in_refs (g : graph T) (n : node T) :
  In n (g_nodes g) -> In (node_name n) (map ref_name (all_refs g)).
Proof.
  intros Hn. unfold all_refs. rewrite map_app, in_app_iff. right.
  rewrite map_map. apply (in_map node_name); exact Hn.
Qed.

Theorem backprop_eq_naive (g : graph T) (inputs draws : env) :
  incl (g_params g) (map ref_name (all_refs g)) ->
  backprop K g inputs draws = naive_backprop K g inputs draws.
Proof.
  intros Hp. unfold backprop, naive_backprop, backprop_adjoints.
  apply map_ext_in. intros p Hin. f_equal.
  apply sweep_naive; auto.
  intros n Hn. now apply node_name_in_refs.
Qed.

Lemma wf_params_refs (g : graph T) :
  wf_graph g -> incl (g_params g) (map ref_name (all_refs g)).
Proof.
  intros (_ & _ & _ & Hp & _). intros p Hin.
  unfold all_refs. rewrite map_app, in_app_iff. left. now apply Hp.
Qed.

Corollary backprop_eq_naive_wf (g : graph T) (inputs draws : env) :
  wf_graph g -> backprop K g inputs draws = naive_backprop K g inputs draws.
Proof.
  intros Hwf. apply backprop_eq_naive, wf_params_refs, Hwf.
Qed.

End Naive.

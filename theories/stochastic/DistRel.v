(** * Comparing two runs of graphs

    The graph transformations (Reparameterize.v, IntegrateKl.v) compare the
    distribution of a graph's run with that of the rewritten graph.  This
    file gives the general tools, for distributions [dist] of Stochastic.v
    and runs [run_nodes]:

    - [dist_equiv F1 F2 D1 D2]: E[F1] under [D1] = E[F2] under [D2], and
      [F1] is [dintegrable] under [D1] iff [F2] is under [D2].  One more
      draw of the same density keeps it ([dist_equiv_draw],
      [dist_equiv_draw_list]; pointwise equal integrands are integrable
      together, [Lintegrable_ext]).
    - [dist_rel Q D1 D2]: [D1] and [D2] draw with the same densities in the
      same order (the same tree), and their final points are related by
      [Q].  Then [dist_equiv F1 F2 D1 D2] as soon as [F1 a = F2 b] for
      related [a], [b] ([dist_rel_equiv]); a property of every final point
      of [D1] can be added to [Q] ([dist_rel_all]).
    - [dist_bind D K]: run [D], then [K] from its final point.  A run of
      [ns1 ++ ns2] is the run of [ns1] followed by the run of [ns2]
      ([run_nodes_app]); related distributions followed by continuations
      that are [dist_equiv] at related points are [dist_equiv]
      ([dist_bind_equiv]).
    - [env_agree X v1 v2]: the environments give every name outside [X]
      the same value.  Nodes that neither read nor define a name of [X],
      run with shape environments that agree on their parents from
      environments that agree outside [X], give related distributions:
      the final environments agree outside [X] ([run_nodes_agree]; the
      draws may differ); the total cost of costs outside [X] is the same
      ([total_cost_agree]).  A binding inserted in a list is skipped by
      the lookup of every other name ([lookup_app_cons_neq]).
    - Along every run: the operator domains of the nodes still to run
      ([domains_on_run], [domains_on_first]) and the sizes of the values
      ([run_nodes_sized]).
    - Moving one entry of one input keeps [inputs_fit]
      ([inputs_fit_set_input_entry]). *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Lia Lra FunctionalExtensionality.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed GraphFacts ListSums.
From Certigrad Require Import Stochastic StochasticPre RunFacts Unbiased.
Import ListNotations.
Local Open Scope R_scope.

(** * Equivalent distributions *)

Lemma Lintegrable_ext (f h : R -> R) : (forall x, f x = h x) -> Lintegrable f <-> Lintegrable h.
Proof.
  intros H. replace h with f; [tauto|]. apply functional_extensionality, H.
Qed.

(** Same expectation, and integrable together. *)
Definition dist_equiv {A B : Type} (F1 : A -> R) (F2 : B -> R) (D1 : dist A) (D2 : dist B)
    : Prop :=
  expect F1 D1 = expect F2 D2 /\ (dintegrable F1 D1 <-> dintegrable F2 D2).

Lemma dist_equiv_sym {A B : Type} (F1 : A -> R) (F2 : B -> R) (D1 : dist A) (D2 : dist B) :
  dist_equiv F1 F2 D1 D2 -> dist_equiv F2 F1 D2 D1.
Proof. intros [He Hi]. split; [symmetry; exact He|tauto]. Qed.

Lemma dist_equiv_draw {A B : Type} (F1 : A -> R) (F2 : B -> R) (d1 d2 : R -> R)
    (k1 : R -> dist A) (k2 : R -> dist B) :
  (forall x, d1 x = d2 x) -> (forall x, dist_equiv F1 F2 (k1 x) (k2 x)) ->
  dist_equiv F1 F2 (Draw d1 k1) (Draw d2 k2).
Proof.
  intros Hd Hk.
  assert (Hf : forall x, d1 x * expect F1 (k1 x) = d2 x * expect F2 (k2 x))
    by (intros x; rewrite Hd, (proj1 (Hk x)); reflexivity).
  split; simpl.
  - apply Lint_ext, Hf.
  - pose proof (Lintegrable_ext _ _ Hf) as HL.
    split; intros [Hl Hr]; (split; [apply HL, Hl|intros x; apply (proj2 (Hk x)), Hr]).
Qed.

Lemma dist_equiv_draw_list {A B : Type} (F1 : A -> R) (F2 : B -> R) (ds : list (R -> R))
    (K1 : list R -> dist A) (K2 : list R -> dist B) :
  (forall xs, length xs = length ds -> dist_equiv F1 F2 (K1 xs) (K2 xs)) ->
  dist_equiv F1 F2 (draw_list ds K1) (draw_list ds K2).
Proof.
  revert K1 K2; induction ds as [|d ds IH]; simpl; intros K1 K2 H.
  - apply H. reflexivity.
  - apply dist_equiv_draw; [reflexivity|]. intros x. apply IH.
    intros xs Hl. apply H. simpl. lia.
Qed.

(** * Related distributions: the same draws, related final points *)

Fixpoint dist_rel {A B : Type} (Q : A -> B -> Prop) (D1 : dist A) (D2 : dist B) : Prop :=
  match D1, D2 with
  | Ret a, Ret b => Q a b
  | Draw d1 k1, Draw d2 k2 => (forall x, d1 x = d2 x) /\ forall x, dist_rel Q (k1 x) (k2 x)
  | _, _ => False
  end.

Lemma dist_rel_impl {A B : Type} (Q1 Q2 : A -> B -> Prop) (D1 : dist A) (D2 : dist B) :
  (forall a b, Q1 a b -> Q2 a b) -> dist_rel Q1 D1 D2 -> dist_rel Q2 D1 D2.
Proof.
  intros HQ. revert D2; induction D1 as [a|d1 k1 IH]; intros [b|d2 k2]; simpl; try tauto.
  - apply HQ.
  - intros [Hd Hk]. split; [exact Hd|]. intros x. apply IH, Hk.
Qed.

Lemma dist_rel_equiv {A B : Type} (Q : A -> B -> Prop) (F1 : A -> R) (F2 : B -> R)
    (D1 : dist A) (D2 : dist B) :
  (forall a b, Q a b -> F1 a = F2 b) -> dist_rel Q D1 D2 -> dist_equiv F1 F2 D1 D2.
Proof.
  intros HF. revert D2; induction D1 as [a|d1 k1 IH]; intros [b|d2 k2]; simpl; try tauto.
  - intros H. split; [apply HF, H|simpl; tauto].
  - intros [Hd Hk]. apply dist_equiv_draw; [exact Hd|]. intros x. apply IH, Hk.
Qed.

(** A property of every final point of [D1] joins the relation. *)
Lemma dist_rel_all {A B : Type} (Q : A -> B -> Prop) (P : A -> Prop) (D1 : dist A) (D2 : dist B) :
  dist_rel Q D1 D2 -> dist_all P D1 -> dist_rel (fun a b => Q a b /\ P a) D1 D2.
Proof.
  revert D2; induction D1 as [a|d1 k1 IH]; intros [b|d2 k2]; simpl; try tauto.
  intros [Hd Hk] HP. split; [exact Hd|]. intros x. apply IH; [apply Hk|apply HP].
Qed.

Lemma dist_rel_draw_list {A B : Type} (Q : A -> B -> Prop) (ds : list (R -> R))
    (K1 : list R -> dist A) (K2 : list R -> dist B) :
  (forall xs, length xs = length ds -> dist_rel Q (K1 xs) (K2 xs)) ->
  dist_rel Q (draw_list ds K1) (draw_list ds K2).
Proof.
  revert K1 K2; induction ds as [|d ds IH]; simpl; intros K1 K2 H.
  - apply H. reflexivity.
  - split; [reflexivity|]. intros x. apply IH. intros xs Hl. apply H. simpl. lia.
Qed.

(** * Sequencing *)

(** Run [D], then [K] from its final point. *)
Fixpoint dist_bind {A B : Type} (D : dist A) (K : A -> dist B) : dist B :=
  match D with
  | Ret a => K a
  | Draw d k => Draw d (fun x => dist_bind (k x) K)
  end.

Lemma dist_bind_equiv {A A' B B' : Type} (Q : A -> A' -> Prop) (F1 : B -> R) (F2 : B' -> R)
    (D1 : dist A) (D2 : dist A') (K1 : A -> dist B) (K2 : A' -> dist B') :
  dist_rel Q D1 D2 -> (forall a b, Q a b -> dist_equiv F1 F2 (K1 a) (K2 b)) ->
  dist_equiv F1 F2 (dist_bind D1 K1) (dist_bind D2 K2).
Proof.
  intros HD HK. revert D2 HD; induction D1 as [a|d1 k1 IH]; intros [b|d2 k2]; simpl; try tauto.
  - apply HK.
  - intros [Hd Hk]. apply dist_equiv_draw; [exact Hd|]. intros x. apply IH, Hk.
Qed.

Lemma draw_list_bind {A B : Type} (ds : list (R -> R)) (K : list R -> dist A) (K' : A -> dist B) :
  dist_bind (draw_list ds K) K' = draw_list ds (fun xs => dist_bind (K xs) K').
Proof.
  revert K; induction ds as [|d ds IH]; intros K; simpl; [reflexivity|].
  f_equal. apply functional_extensionality. intros x. apply IH.
Qed.

(** The run of [ns1 ++ ns2] is the run of [ns1], then the run of [ns2]
    from its final (values, draws). *)
Lemma run_nodes_app (se : senv) (ns1 ns2 : list (node R)) :
  forall (vals draws : env R),
  run_nodes se (ns1 ++ ns2) vals draws =
  dist_bind (run_nodes se ns1 vals draws) (fun vd => run_nodes se ns2 (fst vd) (snd vd)).
Proof.
  induction ns1 as [|n ns1 IH]; intros vals draws; [reflexivity|].
  destruct n as [r o ps|r o ps]; simpl; [apply IH|].
  rewrite draw_list_bind. f_equal. apply functional_extensionality. intros xs. apply IH.
Qed.

(** * Environments that agree outside a set of names *)

Definition env_agree (X : list string) (v1 v2 : env R) : Prop :=
  forall k, ~ In k X -> find_val v1 k = find_val v2 k.

Lemma env_agree_refl (X : list string) (v : env R) : env_agree X v v.
Proof. intros k _. reflexivity. Qed.

Lemma env_agree_cons (X : list string) (v1 v2 : env R) (k : string) (x : list R) :
  env_agree X v1 v2 -> env_agree X ((k, x) :: v1) ((k, x) :: v2).
Proof.
  intros H k' Hk'. destruct (String.eqb_spec k' k) as [->|Hne].
  - rewrite !find_val_cons_eq. reflexivity.
  - rewrite !find_val_cons_neq by exact Hne. apply H, Hk'.
Qed.

(** A binding of a name of [X] on one side only. *)
Lemma env_agree_cons_r (X : list string) (v1 v2 : env R) (k : string) (x : list R) :
  In k X -> env_agree X v1 v2 -> env_agree X v1 ((k, x) :: v2).
Proof.
  intros Hk H k' Hk'. rewrite find_val_cons_neq by (intros ->; contradiction). apply H, Hk'.
Qed.

Lemma env_agree_cons_l (X : list string) (v1 v2 : env R) (k : string) (x : list R) :
  In k X -> env_agree X v1 v2 -> env_agree X ((k, x) :: v1) v2.
Proof.
  intros Hk H k' Hk'. rewrite find_val_cons_neq by (intros ->; contradiction). apply H, Hk'.
Qed.

Lemma env_agree_map (X : list string) (v1 v2 : env R) (ps : list string) :
  env_agree X v1 v2 -> (forall p, In p ps -> ~ In p X) ->
  map (find_val v1) ps = map (find_val v2) ps.
Proof. intros H Hps. apply map_ext_in. intros p Hp. apply H, Hps, Hp. Qed.

Lemma total_cost_agree (X : list string) (g : graph R) (v1 v2 : env R) :
  (forall c, In c (g_costs g) -> ~ In c X) -> env_agree X v1 v2 ->
  total_cost R_ops g v1 = total_cost R_ops g v2.
Proof.
  intros Hc Hv. unfold total_cost. generalize (s_zero R_ops).
  induction (g_costs g) as [|c cs IH]; intros acc; simpl; [reflexivity|].
  rewrite (Hv c) by (apply Hc; now left). apply IH. intros c' Hc'. apply Hc. now right.
Qed.

(** A value bound inside a list of bindings: the lookup of any other name
    skips it. *)
Lemma lookup_app_cons_neq {A : Type} (l1 l2 : list (string * A)) (k k' : string) (a : A) :
  k <> k' -> lookup (l1 ++ (k', a) :: l2) k = lookup (l1 ++ l2) k.
Proof.
  intros Hk. induction l1 as [|[k1 a1] l1 IH]; simpl.
  - destruct (String.eqb_spec k k'); [contradiction|reflexivity].
  - destruct (String.eqb k k1); [reflexivity|exact IH].
Qed.

(** Nodes that neither read nor define a name of [X], with the same shapes
    of their parents on both sides: from environments that agree outside
    [X], the two runs draw alike and end in environments that agree
    outside [X] (whatever the draws made before). *)
Lemma run_nodes_agree (X : list string) (se1 se2 : senv) (ns : list (node R)) :
  Forall (fun n => ~ In (node_name n) X /\
                   forall p, In p (node_parents n) -> ~ In p X /\ find_shape se1 p = find_shape se2 p)
    ns ->
  forall (v1 v2 d1 d2 : env R), env_agree X v1 v2 ->
  dist_rel (fun a b => env_agree X (fst a) (fst b)) (run_nodes se1 ns v1 d1) (run_nodes se2 ns v2 d2).
Proof.
  induction ns as [|n ns IH]; intros Hns v1 v2 d1 d2 Hv; [exact Hv|].
  inversion Hns as [|? ? [Hn Hps] Hns']; subst.
  assert (Hvals : map (find_val v1) (node_parents n) = map (find_val v2) (node_parents n))
    by (apply (env_agree_map X); [exact Hv|intros p Hp; apply Hps, Hp]).
  destruct n as [r o ps|r o ps]; unfold node_name, node_parents in *; simpl in *.
  - assert (Hss : parent_shapes se1 ps = parent_shapes se2 ps)
      by (apply map_ext_in; intros p Hp; apply Hps, Hp).
    rewrite Hvals, Hss. apply IH; [exact Hns'|]. apply env_agree_cons, Hv.
  - rewrite Hvals. apply dist_rel_draw_list. intros xs _.
    apply IH; [exact Hns'|]. apply env_agree_cons, Hv.
Qed.

(** * Along every run *)

(** The operator domains of the nodes [ns2] still to run hold at the end
    of every run of [ns1] (from constant values: one input). *)
Lemma domains_on_run (se : senv) (a b : R) (ns1 ns2 : list (node R)) :
  forall (vals draws : env R),
  domains_on se a b (ns1 ++ ns2) (fun _ => vals) ->
  dist_all (fun vd => domains_on se a b ns2 (fun _ => fst vd)) (run_nodes se ns1 vals draws).
Proof.
  induction ns1 as [|n ns1 IH]; intros vals draws H; [exact H|].
  destruct H as [_ H]. destruct n as [r o ps|r o ps]; simpl.
  - apply IH, H.
  - apply dist_all_draw_list. intros xs Hxs. apply IH, H.
    unfold rand_dens in Hxs. rewrite map_length, seq_length in Hxs. exact Hxs.
Qed.

Lemma domains_on_first (se : senv) (a b : R) (n : node R) (ns : list (node R)) (vals : env R) :
  a < b -> domains_on se a b (n :: ns) (fun _ => vals) ->
  op_domain_holds R_ops (node_op n) (map (find_val vals) (node_parents n)).
Proof. intros Hab [H _]. apply (H ((a + b) / 2)). lra. Qed.

(** Every value has its shape's number of entries at the end of every run
    (from values of their sizes). *)
Lemma run_nodes_sized (g : graph R) (ns : list (node R)) :
  forall (se : senv) (vals draws : env R),
  wf_nodes se ns -> Forall (good_node g) ns ->
  (forall r, In r (map fst se) -> length (find_val vals r) = shape_size (find_shape (shape_env g) r)) ->
  dist_all (fun vd => forall r, In r (map fst se ++ map node_name ns) ->
                        length (find_val (fst vd) r) = shape_size (find_shape (shape_env g) r))
    (run_nodes (shape_env g) ns vals draws).
Proof.
  induction ns as [|n ns IH]; intros se vals draws Hwf Hgood Hvals.
  - simpl. intros r Hr. rewrite app_nil_r in Hr. auto.
  - inversion Hwf as [|? ? ? Hfresh _ Hps _ Hwf']; subst.
    inversion Hgood as [|? ? (_ & Hshape & _ & Hout) Hgood']; subst.
    rewrite Forall_forall in Hps.
    (* the names after [n] are those of [ns] and of [(node_name n, _) :: se] *)
    assert (Hnames : forall r, In r (map fst se ++ map node_name (n :: ns)) ->
              In r (map fst ((node_name n, node_shape n) :: se) ++ map node_name ns)).
    { intros r Hr. simpl. apply in_app_iff in Hr. destruct Hr as [Hr|[Hr|Hr]]; auto.
      - right. apply in_app_iff. now left.
      - right. apply in_app_iff. now right. }
    assert (Hnew : forall x, length x = shape_size (node_shape n) ->
              forall r, In r (map fst ((node_name n, node_shape n) :: se)) ->
              length (find_val ((node_name n, x) :: vals) r) = shape_size (find_shape (shape_env g) r)).
    { intros x Hx r [Hr|Hr]; simpl in Hr.
      - subst r. rewrite find_val_cons_eq, Hshape. exact Hx.
      - rewrite find_val_cons_neq by (intros ->; contradiction). auto. }
    destruct n as [r0 o ps|r0 o ps];
      unfold node_name, node_shape, node_op, node_parents in *; simpl in *.
    + eapply dist_all_impl; [|apply (IH ((ref_name r0, ref_shape r0) :: se)); auto].
      * intros vd H r Hr. apply H, Hnames, Hr.
      * apply Hnew. apply (dop_forward_length o (ref_shape r0)); [exact Hout|].
        apply sized_map. intros p Hp. apply Hvals, Hps, Hp.
    + apply dist_all_draw_list. intros xs Hxs.
      unfold rand_dens in Hxs. rewrite map_length, seq_length in Hxs.
      eapply dist_all_impl; [|apply (IH ((ref_name r0, ref_shape r0) :: se)); auto].
      intros vd H r Hr. apply H, Hnames, Hr.
Qed.

(** * Moving one entry of one input *)

Lemma replace_at_length {A : Type} (j : nat) (a : A) (l : list A) :
  length (replace_at j a l) = length l.
Proof. revert j; induction l as [|x l IH]; intros [|j]; simpl; auto. Qed.

Lemma lookup_set_input_entry (e : env R) (p : string) (j : nat) (t : R) (k : string) :
  lookup (set_input_entry e p j t) k =
  match lookup e k with
  | Some v => Some (if String.eqb p k then replace_at j t v else v)
  | None => None
  end.
Proof.
  induction e as [|[k' v] e IH]; simpl; [reflexivity|].
  destruct (String.eqb_spec p k') as [->|Hp]; simpl.
  - destruct (String.eqb_spec k k') as [->|Hk]; [now rewrite String.eqb_refl|].
    destruct (lookup e k); [|reflexivity].
    destruct (String.eqb_spec k' k); [congruence|reflexivity].
  - destruct (String.eqb_spec k k') as [->|Hk]; [|exact IH].
    destruct (String.eqb_spec p k'); [contradiction|reflexivity].
Qed.

Lemma inputs_fit_set_input_entry (g : graph R) (inputs : env R) (p : string) (j : nat) (t : R) :
  inputs_fit g inputs -> inputs_fit g (set_input_entry inputs p j t).
Proof.
  unfold inputs_fit. intros H. eapply Forall_impl; [|exact H]. intros r [v [Hv Hl]].
  rewrite lookup_set_input_entry, Hv.
  eexists. split; [reflexivity|]. destruct (String.eqb p (ref_name r)); [|exact Hl].
  rewrite replace_at_length. exact Hl.
Qed.

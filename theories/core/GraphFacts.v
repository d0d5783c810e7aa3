(** Bookkeeping facts about graphs, environments and operator shapes, used
    by the graph theorems (BackpropCorrect.v):

    - [lookup] (first match) in association lists, with unique keys;
    - [forward_nodes] does not change the value of a name it does not define;
    - the names of a graph with [wf_nodes] are unique, and every node of a
      well-formed graph is [good_node]: its name and parents are references,
      its shape is the one [shape_env] records, and its operator's shape rule
      gives its declared shape from the parent shapes of [shape_env];
    - the lengths of [dop_forward] and [dop_pullbacks] at the real numbers,
      from the shape rule ([dop_forward_length], [dop_pullbacks_length]). *)

From Coq Require Import Reals String List Arith Bool Lia Permutation.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed.
Import ListNotations.
Local Open Scope list_scope.

(** * Lookup *)

Section Lookup.
Context {A : Type}.

Lemma lookup_in (e : list (string * A)) (k : string) (a : A) :
  lookup e k = Some a -> In (k, a) e.
Proof.
  induction e as [|[k' a'] e IH]; simpl; [discriminate|].
  destruct (String.eqb_spec k k') as [->|_]; [intros [= ->]; now left|].
  intros H. right. auto.
Qed.

Lemma lookup_in_fst (e : list (string * A)) (k : string) (a : A) :
  lookup e k = Some a -> In k (map fst e).
Proof.
  intros H. apply lookup_in in H. apply (in_map fst) in H. exact H.
Qed.

Lemma lookup_exists (e : list (string * A)) (k : string) :
  In k (map fst e) -> exists a, lookup e k = Some a.
Proof.
  induction e as [|[k' a] e IH]; simpl; [tauto|].
  destruct (String.eqb_spec k k') as [->|Hk]; [eauto|].
  intros [->|H]; [congruence|auto].
Qed.

Lemma lookup_nodup (e : list (string * A)) (k : string) (a : A) :
  NoDup (map fst e) -> In (k, a) e -> lookup e k = Some a.
Proof.
  induction e as [|[k' a'] e IH]; simpl; [tauto|].
  intros Hnd Hin. inversion Hnd as [|? ? Hnotin Hnd']; subst.
  destruct Hin as [[= -> ->]|Hin].
  - now rewrite String.eqb_refl.
  - destruct (String.eqb_spec k k') as [->|_]; [|auto].
    exfalso. apply Hnotin. apply (in_map fst) in Hin. exact Hin.
Qed.

(** A sub-table of a table with unique keys answers like it on its keys. *)
Lemma lookup_incl (e1 e2 : list (string * A)) (k : string) :
  NoDup (map fst e2) -> incl e1 e2 -> In k (map fst e1) -> lookup e1 k = lookup e2 k.
Proof.
  intros Hnd Hincl Hk. destruct (lookup_exists e1 k Hk) as [a Ha].
  rewrite Ha. symmetry. apply lookup_nodup; [exact Hnd|]. apply Hincl, lookup_in, Ha.
Qed.

Lemma lookup_cons_neq (e : list (string * A)) (k k' : string) (a : A) :
  k <> k' -> lookup ((k', a) :: e) k = lookup e k.
Proof.
  intros Hk. simpl. destruct (String.eqb_spec k k'); [congruence|reflexivity].
Qed.

Lemma lookup_map_key (f : string -> A) (l : list string) (k : string) :
  In k l -> lookup (map (fun x => (x, f x)) l) k = Some (f k).
Proof.
  induction l as [|x l IH]; simpl; [tauto|].
  destruct (String.eqb_spec k x) as [->|Hk]; [reflexivity|].
  intros [->|H]; [congruence|auto].
Qed.

End Lookup.

(** * Forward evaluation *)

Section Forward.
Context {T : Type} (K : scalar_ops T).

Lemma find_val_cons_neq (e : env T) (k k' : string) (v : list T) :
  k <> k' -> find_val ((k', v) :: e) k = find_val e k.
Proof. intros Hk. unfold find_val. now rewrite lookup_cons_neq. Qed.

Lemma find_val_cons_eq (e : env T) (k : string) (v : list T) :
  find_val ((k, v) :: e) k = v.
Proof. unfold find_val. simpl. now rewrite String.eqb_refl. Qed.

Lemma find_val_forward_nodes_notin (se : senv) (draws : env T) (ns : list (node T))
    (E : env T) (k : string) :
  ~ In k (map node_name ns) ->
  find_val (forward_nodes K se draws ns E) k = find_val E k.
Proof.
  revert E; induction ns as [|n ns IH]; intros E Hk; simpl in *; [reflexivity|].
  rewrite IH by tauto. apply find_val_cons_neq. intros ->. tauto.
Qed.

End Forward.

(** * Well-formed node lists and graphs *)

Section WF.
Context {T : Type}.

Lemma wf_nodes_fresh (se : senv) (ns : list (node T)) :
  wf_nodes se ns -> Forall (fun n => ~ In (node_name n) (map fst se)) ns.
Proof.
  induction 1 as [|se n ns Hfresh _ _ _ _ IH]; constructor; [exact Hfresh|].
  eapply Forall_impl; [|exact IH]. simpl. intros m Hm Hin. apply Hm. now right.
Qed.

Lemma wf_nodes_nodup (se : senv) (ns : list (node T)) :
  wf_nodes se ns -> NoDup (map fst se) -> NoDup (map fst se ++ map node_name ns).
Proof.
  induction 1 as [se|se n ns Hfresh _ _ _ _ IH]; intros Hnd.
  - now rewrite app_nil_r.
  - simpl. apply (Permutation_NoDup (l := node_name n :: map fst se ++ map node_name ns)).
    + apply Permutation_middle.
    + apply IH. simpl. constructor; assumption.
Qed.

Definition node_entry (n : node T) : string * shape := (node_name n, node_shape n).

Lemma shape_env_split (g : graph T) :
  shape_env g = input_senv g ++ map node_entry (g_nodes g).
Proof.
  unfold shape_env, input_senv, all_refs. rewrite map_app, map_map. reflexivity.
Qed.

Lemma input_senv_names (g : graph T) : map fst (input_senv g) = input_names g.
Proof. unfold input_senv, input_names. now rewrite map_map. Qed.

Lemma shape_env_names (g : graph T) :
  map fst (shape_env g) = input_names g ++ map node_name (g_nodes g).
Proof.
  rewrite shape_env_split, map_app, input_senv_names, map_map. reflexivity.
Qed.

Lemma wf_graph_nodup (g : graph T) : wf_graph g -> NoDup (map fst (shape_env g)).
Proof.
  intros (Hnd & _ & _ & _ & Hn & _). rewrite shape_env_names, <- input_senv_names.
  apply wf_nodes_nodup; [exact Hn|]. now rewrite input_senv_names.
Qed.

(** What the graph theorems use of a node of a well-formed graph. *)
Definition good_node (g : graph T) (n : node T) : Prop :=
  In (node_name n) (map fst (shape_env g)) /\
  find_shape (shape_env g) (node_name n) = node_shape n /\
  incl (node_parents n) (map fst (shape_env g)) /\
  op_out_shape (node_op n) (node_shape n) (parent_shapes (shape_env g) (node_parents n))
    = Some (node_shape n).

Lemma find_shape_nodup (se : senv) (k : string) (s : shape) :
  NoDup (map fst se) -> In (k, s) se -> find_shape se k = s.
Proof. intros Hnd Hin. unfold find_shape. now rewrite (lookup_nodup se k s Hnd Hin). Qed.

Lemma parent_shapes_incl (se1 se2 : senv) (ps : list string) :
  NoDup (map fst se2) -> incl se1 se2 -> incl ps (map fst se1) ->
  parent_shapes se1 ps = parent_shapes se2 ps.
Proof.
  intros Hnd Hincl Hps. unfold parent_shapes. apply map_ext_in. intros p Hp.
  unfold find_shape. now rewrite (lookup_incl se1 se2 p Hnd Hincl (Hps p Hp)).
Qed.

Lemma wf_nodes_good (g : graph T) (se : senv) (ns : list (node T)) :
  NoDup (map fst (shape_env g)) ->
  wf_nodes se ns -> incl se (shape_env g) -> incl (map node_entry ns) (shape_env g) ->
  Forall (good_node g) ns.
Proof.
  intros Hnd Hwf. induction Hwf as [|se n ns Hfresh Hsv Hps Hout _ IH];
    intros Hse Hns; constructor.
  - assert (Hn : In (node_entry n) (shape_env g)) by (apply Hns; now left).
    repeat split.
    + apply (in_map fst) in Hn. exact Hn.
    + apply find_shape_nodup; assumption.
    + intros p Hp. rewrite Forall_forall in Hps. specialize (Hps p Hp).
      apply in_map_iff in Hps. destruct Hps as [[k s] [<- Hks]].
      apply (in_map fst (shape_env g) (k, s)), Hse, Hks.
    + rewrite <- (parent_shapes_incl se); [exact Hout|exact Hnd|exact Hse|].
      intros p Hp. rewrite Forall_forall in Hps. auto.
  - apply IH.
    + intros x [<-|Hx]; [apply Hns; now left|auto].
    + intros x Hx. apply Hns. now right.
Qed.

Lemma wf_graph_good (g : graph T) : wf_graph g -> Forall (good_node g) (g_nodes g).
Proof.
  intros Hwf. pose proof (wf_graph_nodup g Hwf) as Hnd.
  destruct Hwf as (_ & _ & _ & _ & Hn & _).
  apply (wf_nodes_good g (input_senv g)); [exact Hnd|exact Hn| |];
    rewrite shape_env_split; intros x Hx; apply in_app_iff; auto.
Qed.

Lemma wf_graph_costs (g : graph T) :
  wf_graph g ->
  Forall (fun c => In c (map fst (shape_env g)) /\ find_shape (shape_env g) c = []) (g_costs g).
Proof.
  intros (_ & _ & _ & _ & _ & _ & Hc). eapply Forall_impl; [|exact Hc].
  intros c Hl. split; [eapply lookup_in_fst, Hl|]. unfold find_shape. now rewrite Hl.
Qed.

Lemma wf_graph_inputs (g : graph T) (r : reference) :
  wf_graph g -> In r (g_inputs g) -> find_shape (shape_env g) (ref_name r) = ref_shape r.
Proof.
  intros Hwf Hr. apply find_shape_nodup; [now apply wf_graph_nodup|].
  unfold shape_env, all_refs. apply in_map_iff. exists r. split; [reflexivity|].
  apply in_app_iff. now left.
Qed.

End WF.

(** * Lengths of operator results at the real numbers *)

Local Open Scope R_scope.

Lemma op_out_shape_cases (o : dop R) (decl : shape) (ss : list shape) (sout : shape) :
  op_out_shape (ODet o) decl ss = Some sout ->
  match dop_shape_rule o with
  | RSame => length ss = dop_arity o /\ Forall (fun s => s = sout) ss
  | RScalar => length ss = dop_arity o /\ sout = []
  | RSameScalar => length ss = dop_arity o /\ sout = [] /\
                   exists s, Forall (fun s' => s' = s) ss
  | RGemm => exists m k n, ss = [[m; k]; [k; n]] /\ sout = [m; n]
  | RDeclared => True
  end.
Proof.
  unfold op_out_shape, op_out_shape_res. simpl.
  destruct (Nat.eqb_spec (length ss) (dop_arity o)) as [Ha|]; [|discriminate].
  assert (Hsame : forall name s, same_shapes name ss = Ok s -> Forall (fun s' => s' = s) ss).
  { intros name s. unfold same_shapes. destruct ss as [|s0 ss']; [discriminate|].
    destruct (first_other_shape s0 ss') eqn:Hf; [discriminate|]. intros [= <-].
    constructor; [reflexivity|].
    clear -Hf. induction ss' as [|s1 ss' IH]; simpl in *; [constructor|].
    unfold shape_eqb in Hf. destruct (list_eq_dec Nat.eq_dec s0 s1); [|discriminate].
    constructor; auto. }
  destruct (dop_shape_rule o); unfold apply_shape_rule; intros H.
  - destruct (same_shapes _ ss) eqn:Hs; [|discriminate]. injection H as <-. eauto.
  - injection H as <-. auto.
  - destruct (same_shapes _ ss) eqn:Hs; [|discriminate]. injection H as <-. eauto.
  - destruct ss as [|[|m [|k [|]]] [|[|k' [|n [|]]] [|]]]; try discriminate.
    destruct (Nat.eqb_spec k k'); [|discriminate]. injection H as <-. subst k'. eauto.
  - exact I.
Qed.

Definition sizedT (xs : list (list R)) (ss : list shape) : Prop :=
  Forall2 (fun x s => length x = shape_size s) xs ss.

Lemma shape_size_mat (m n : nat) : shape_size [m; n] = (m * n)%nat.
Proof. simpl. lia. Qed.

Ltac len_simpl :=
  repeat (rewrite ?map_length, ?map2_length, ?map3_length, ?repeat_length in *);
  try lia.

Lemma dop_forward_length (o : dop R) (decl sout : shape) (ss : list shape) (xs : list (list R)) :
  op_out_shape (ODet o) decl ss = Some sout -> sizedT xs ss ->
  length (dop_forward R_ops o ss xs) = shape_size sout.
Proof.
  intros Ho Hxs. apply op_out_shape_cases in Ho.
  destruct o; simpl in Ho;
  repeat match goal with
  | H : _ /\ _ |- _ => destruct H
  | H : exists _, _ |- _ => destruct H
  end; subst;
  try (destruct ss as [|s1 [|s2 [|s3 [|]]]]; simpl in H; try discriminate);
  try (inversion Hxs as [|x1 s1' xs1 ss1 Hx1 Hxs1]; subst;
       inversion Hxs1 as [|x2 s2' xs2 ss2 Hx2 Hxs2]; subst;
       try (inversion Hxs2 as [|x3 s3' xs3 ss3 Hx3 Hxs3]; subst));
  repeat match goal with
  | H : Forall _ (_ :: _) |- _ => inversion H; clear H; subst
  end;
  simpl; unfold vscale, vadd, vsub, vmul, vdiv; len_simpl; try reflexivity.
  (* gemm *)
  unfold sizedT in Hxs. inversion Hxs as [|a1 s1 xs1 ss1 Ha1 Hxs1]; subst.
  inversion Hxs1 as [|a2 s2 xs2 ss2 Ha2 Hxs2]; subst.
  simpl in *. rewrite !Nat.mul_1_r in *. apply gemm_length; assumption.
Qed.

Lemma dop_pullbacks_length (o : dop R) (decl sout : shape) (ss : list shape)
    (xs : list (list R)) (v gr : list R) :
  op_out_shape (ODet o) decl ss = Some sout -> sizedT xs ss ->
  length v = shape_size sout -> length gr = shape_size sout ->
  sizedT (dop_pullbacks R_ops o ss xs v gr) ss.
Proof.
  intros Ho Hxs Hv Hg. apply op_out_shape_cases in Ho.
  destruct o; simpl in Ho;
  repeat match goal with
  | H : _ /\ _ |- _ => destruct H
  | H : exists _, _ |- _ => destruct H
  end; subst;
  try (destruct ss as [|s1 [|s2 [|s3 [|]]]]; simpl in H; try discriminate);
  try (inversion Hxs as [|x1 s1' xs1 ss1 Hx1 Hxs1]; subst;
       inversion Hxs1 as [|x2 s2' xs2 ss2 Hx2 Hxs2]; subst;
       try (inversion Hxs2 as [|x3 s3' xs3 ss3 Hx3 Hxs3]; subst));
  repeat match goal with
  | H : Forall _ (_ :: _) |- _ => inversion H; clear H; subst
  end;
  simpl; unfold sizedT, vscale, vadd, vsub, vmul, vdiv;
  repeat constructor; len_simpl; try reflexivity.
  (* gemm *)
  all: unfold sizedT in Hxs; inversion Hxs as [|a1 s1 xs1 ss1 Ha1 Hxs1]; subst;
    inversion Hxs1 as [|a2 s2 xs2 ss2 Ha2 Hxs2]; subst.
  all: simpl in *; rewrite !Nat.mul_1_r in *.
  - apply gemm_length; [exact Hg|]. rewrite mtranspose_length; [lia|exact Ha2].
  - apply gemm_length; [|exact Hg]. rewrite mtranspose_length; [lia|exact Ha1].
Qed.

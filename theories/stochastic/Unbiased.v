(** * Stochastic backprop is unbiased

    Main theorem ([backprop_unbiased_of_ops]): for a graph accepted by the
    checker, inputs of the declared sizes, a parameter [p] and an entry [j]
    of it, and an open interval [a < t0 < b] around the entry's value [t0]
    on which the named preconditions of StochasticPre.v hold
    ([reachable_domains], [is_gintegrable],
    [can_differentiate_under_integrals]):

      d/dt expected_cost g (set_input_entry inputs p j t) at t0
        = expected_grad g inputs p j,

    i.e. the derivative of E[sum of costs] w.r.t. entry [j] of [p] is the
    expectation, over the same draws, of entry [j] of the very [backprop]
    of Backprop.v.  [backprop_unbiased_of_ops] takes the per-operator
    statement [forall o, dop_correct o] as a premise; [backprop_unbiased]
    discharges it with OpsCorrect.v's [all_dops_correct].  The statement is
    [backprop_unbiased_statement]; the preconditions are documented in
    StochasticPre.v and docs/unbiasedness.md.

    Proof outline.
    - Part I (FamilyDerive.v), any family of distributions [P : pdist A] (StochasticPre.v):
      [pval_derive]: under [smooth] (densities positive and differentiable
      in [t], final values differentiable), [gintegrable] and [dominated],
      [d/dt pval F P t = est P t], where [est] differentiates under each
      integral (Leibniz rule, Leibniz.v via [leibniz_Lint]) and writes the
      density's derivative as density times the score [d/dt ln dens].
      Moreover [uest P t s = est P t + s * pval P t], where [uest] is the
      expectation of the unrolled estimator "pathwise derivative + cost
      times the sum of the scores of the draws" (the linearity step uses
      only the integrability that the Leibniz rule provides).
    - Part II, the graph: [pval_pnodes] identifies [pval] of [pgraph] with
      [expected_cost]; [smooth_pnodes] derives [smooth] from the operator
      domains and [dop_correct]; [uest_pnodes] writes [uest] as an
      expectation over [graph_dist] of "pathwise derivative of the total
      cost + cost * sum of scores"; [suffix_identity] (SuffixIdentity.v)
      proves, for each fixed draw, that this is the backprop adjoint (the
      reverse-mode induction of BackpropCorrect.v, extended with random
      nodes: a random node's value is its draw, and its score term is the
      derivative of the log density of its draw, [gauss_ln_derive]).  The
      list, sum and dot facts and the induction step at a deterministic
      node ([det_node_step]) are ListSums.v's, shared with
      BackpropCorrect.v. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Bool Lia Lra FunctionalExtensionality.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed Backprop OpsSpec.
From Certigrad Require Import OpsJvp GraphFacts BackpropNaive BackpropEst WellFormedSound.
From Certigrad Require Import Stochastic StochasticPre FamilyDerive OpsCorrect ListSums.
(* Exported: the files that import this one use its Gaussian score, [node_score] and
   [score_sum], which SuffixIdentity.v defines for UnbiasedEst.v as well. *)
From Certigrad Require Export SuffixIdentity.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * The statement *)

(** The theorem, as a proposition (proved below as
    [backprop_unbiased_of_ops], from the per-operator statement). *)
Definition backprop_unbiased_statement : Prop :=
  forall (g : graph R) (inputs : env R) (p : string) (j : nat) (a b : R),
  check_graph g = CheckOk ->
  inputs_fit g inputs ->
  In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  a < nth j (find_val inputs p) 0 < b ->
  reachable_domains g inputs p j a b ->
  is_gintegrable g inputs p j a b ->
  can_differentiate_under_integrals g inputs p j a b ->
  is_derive (fun t => expected_cost g (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0)
    (expected_grad g inputs p j).

(** * The input curve

    The statement's [replace_at] and [set_input_entry] (Stochastic.v) are
    ListSums.v's [replace_nth] and [set_entry], whose facts (shared with
    BackpropCorrect.v) the proof uses. *)

Lemma replace_at_replace_nth {X : Type} (j : nat) (x : X) (l : list X) :
  replace_at j x l = replace_nth j x l.
Proof. revert j; induction l as [|y l IH]; intros [|j]; simpl; f_equal; auto. Qed.

Lemma set_input_entry_set_entry (e : env R) (p : string) (j : nat) (t : R) :
  set_input_entry e p j t = set_entry e p j t.
Proof.
  induction e as [|[k v] e IH]; simpl; [reflexivity|].
  destruct (String.eqb p k); [now rewrite replace_at_replace_nth|now rewrite IH].
Qed.

(** * Part II: the graph *)

(** ** Properties of every final point of a distribution *)

Fixpoint dist_all {X : Type} (Q : X -> Prop) (D : dist X) : Prop :=
  match D with
  | Ret x => Q x
  | Draw _ k => forall y, dist_all Q (k y)
  end.

Lemma dist_all_impl {X : Type} (Q1 Q2 : X -> Prop) (D : dist X) :
  (forall x, Q1 x -> Q2 x) -> dist_all Q1 D -> dist_all Q2 D.
Proof. intros H. induction D as [x|dens k IH]; simpl; auto. Qed.

Lemma dist_all_and {X : Type} (Q1 Q2 : X -> Prop) (D : dist X) :
  dist_all Q1 D -> dist_all Q2 D -> dist_all (fun x => Q1 x /\ Q2 x) D.
Proof. induction D as [x|dens k IH]; simpl; auto. Qed.

Lemma expect_ext_all {X : Type} (F G : X -> R) (D : dist X) :
  dist_all (fun x => F x = G x) D -> expect F D = expect G D.
Proof.
  induction D as [x|dens k IH]; simpl; intros H; [exact H|].
  apply Lint_ext. intros y. rewrite (IH y (H y)). reflexivity.
Qed.

Lemma dist_all_draw_list {X : Type} (Q : X -> Prop) (ds : list (R -> R))
    (K : list R -> dist X) :
  (forall xs, length xs = length ds -> dist_all Q (K xs)) -> dist_all Q (draw_list ds K).
Proof.
  revert K; induction ds as [|d ds IH]; simpl; intros K H.
  - apply (H []). reflexivity.
  - intros x. apply IH. intros xs Hl. apply H. simpl. lia.
Qed.

(** ** The family [pnodes] at [t] is [run_nodes] *)

Lemma pval_pdraw_list {X : Type} (F : X -> R) (ds : list (R -> R -> R))
    (K : list R -> pdist X) (K' : list R -> dist X) (t : R) :
  (forall xs, pval F (K xs) t = expect F (K' xs)) ->
  pval F (pdraw_list ds K) t = expect F (draw_list (map (fun d => d t) ds) K').
Proof.
  revert K K'; induction ds as [|d ds IH]; simpl; intros K K' H; [apply H|].
  apply Lint_ext. intros x. f_equal. apply IH. intros xs. apply H.
Qed.

Lemma pval_pnodes (F : env R * env R -> R) (se : senv) (ns : list (node R)) :
  forall (valsC : R -> env R) (draws : env R) (t : R),
  pval F (pnodes se ns valsC draws) t = expect F (run_nodes se ns (valsC t) draws).
Proof.
  induction ns as [|n ns IH]; intros valsC draws t; [reflexivity|].
  destruct n as [r o ps|r o ps]; simpl; [apply IH|].
  rewrite (pval_pdraw_list F _ _
             (fun x => run_nodes se ns ((ref_name r, x) :: valsC t) ((ref_name r, x) :: draws)))
    by (intros xs; apply IH).
  unfold rand_dens. rewrite map_map. reflexivity.
Qed.

Corollary expected_cost_pgraph (g : graph R) (inputs : env R) (p : string) (j : nat) (t : R) :
  expected_cost g (set_input_entry inputs p j t) = pval (cost_of g) (pgraph g inputs p j) t.
Proof. unfold pgraph. rewrite pval_pnodes. reflexivity. Qed.

(** ** The draws of a run *)

Lemma lookup_app_notin {X : Type} (l1 l2 : list (string * X)) (k : string) :
  ~ In k (map fst l1) -> lookup (l1 ++ l2) k = lookup l2 k.
Proof.
  induction l1 as [|[k' x] l1 IH]; simpl; intros Hk; [reflexivity|].
  destruct (String.eqb_spec k k') as [->|]; [tauto|]. apply IH. tauto.
Qed.

(** The final draws are the draws of the run's random nodes (in reverse
    order) in front of the draws made before. *)
Lemma run_nodes_draws (se : senv) (ns : list (node R)) :
  forall (vals0 draws0 : env R),
  dist_all (fun vd => exists dn, snd vd = dn ++ draws0 /\ incl (map fst dn) (map node_name ns))
    (run_nodes se ns vals0 draws0).
Proof.
  induction ns as [|n ns IH]; intros vals0 draws0.
  - simpl. exists []. split; [reflexivity|]. intros x [].
  - destruct n as [r o ps|r o ps]; simpl.
    + eapply dist_all_impl; [|apply IH]. intros vd [dn [Hd Hi]].
      exists dn. split; [exact Hd|]. intros x Hx. right. apply Hi, Hx.
    + apply dist_all_draw_list. intros xs _.
      eapply dist_all_impl; [|apply IH]. intros vd [dn [Hd Hi]].
      exists (dn ++ [(ref_name r, xs)]). split.
      * rewrite Hd, <- app_assoc. reflexivity.
      * intros x Hx. rewrite map_app in Hx. apply in_app_iff in Hx.
        destruct Hx as [Hx|[<-|[]]]; [right; apply Hi, Hx|left; reflexivity].
Qed.

(** ** Smoothness of the graph's family, from the operator domains *)

Lemma smooth_pdraw_list {X : Type} (F : X -> R) (a b : R) (ds : list (R -> R -> R))
    (K : list R -> pdist X) :
  (forall d, In d ds -> forall x t, a < t < b -> 0 < d t x /\ ex_derive (fun s => d s x) t) ->
  (forall xs, length xs = length ds -> smooth F a b (K xs)) ->
  smooth F a b (pdraw_list ds K).
Proof.
  revert K; induction ds as [|d ds IH]; simpl; intros K Hd HK.
  - apply HK; reflexivity.
  - split; [apply Hd; now left|]. intros x. apply IH.
    + intros d' Hd'. apply Hd. now right.
    + intros xs Hl. apply HK. simpl. lia.
Qed.

(** The derivatives at [t] of the first [n] entries of [V]. *)
Definition tangent (V : R -> list R) (n : nat) (t : R) : list R :=
  map (fun i => Derive (fun u => nth i (V u) 0) t) (seq 0 n).

Lemma tangent_length (V : R -> list R) (n : nat) (t : R) : length (tangent V n t) = n.
Proof. unfold tangent. now rewrite map_length, seq_length. Qed.

Lemma tangent_derive (V : R -> list R) (n : nat) (t : R) :
  (forall u, length (V u) = n) ->
  (forall k, ex_derive (fun u => nth k (V u) 0) t) ->
  forall k, is_derive (fun u => nth k (V u) 0) t (nth k (tangent V n t) 0).
Proof.
  intros HV Hex k. unfold tangent. destruct (lt_dec k n) as [Hk|Hk].
  - rewrite (nth_map_in _ _ _ k 0 0%nat) by (rewrite seq_length; exact Hk).
    rewrite seq_nth by exact Hk. simpl. apply Derive_correct, Hex.
  - rewrite nth_overflow by (rewrite map_length, seq_length; lia).
    eapply is_derive_ext; [|apply (D_const 0 t)].
    intros u. simpl. symmetry. apply nth_overflow. rewrite HV. lia.
Qed.

Section Smooth.
Variable g : graph R.
Variables a b : R.
Hypothesis Hops : forall o : dop R, dop_correct o.

Local Notation se_g := (shape_env g).
Local Notation sz r := (shape_size (find_shape (shape_env g) r)).

Lemma det_value_derive (o : dop R) (s0 : shape) (ps : list string) (V : R -> env R) (t : R) :
  op_out_shape (ODet o) s0 (parent_shapes se_g ps) = Some s0 ->
  (forall p, In p ps -> forall u, length (find_val (V u) p) = sz p) ->
  (forall p, In p ps -> forall k, ex_derive (fun u => nth k (find_val (V u) p) 0) t) ->
  op_domain_holds R_ops (ODet o) (map (find_val (V t)) ps) ->
  forall k, ex_derive
    (fun u => nth k (dop_forward R_ops o (parent_shapes se_g ps) (map (find_val (V u)) ps)) 0) t.
Proof.
  intros Hout Hlen Hex Hdom k.
  set (dxs := map (fun p => tangent (fun u => find_val (V u) p) (sz p) t) ps).
  destruct (Hops o (parent_shapes se_g ps) s0 s0 Hout (fun u => map (find_val (V u)) ps) dxs t)
    as (dv & _ & Hdv & _).
  - intros u. apply sized_map. intros p Hp. apply Hlen, Hp.
  - apply sized_map. intros p Hp. apply tangent_length.
  - apply parents_derive. intros p Hp. apply tangent_derive; [intros u; apply Hlen, Hp|apply Hex, Hp].
  - exact Hdom.
  - exists (nth k dv 0). apply Hdv.
Qed.

Lemma rand_dens_smooth (o : rop) (s0 : shape) (ps : list string) (V : R -> env R) :
  op_out_shape (@ORand R o) s0 (parent_shapes se_g ps) = Some s0 ->
  (forall p, In p ps -> forall u, length (find_val (V u) p) = sz p) ->
  (forall p, In p ps -> forall k t, a < t < b -> ex_derive (fun u => nth k (find_val (V u) p) 0) t) ->
  (forall t, a < t < b -> op_domain_holds R_ops (@ORand R o) (map (find_val (V t)) ps)) ->
  forall d, In d (map (fun k t => entry_dens o (map (find_val (V t)) ps) k) (seq 0 (shape_size s0))) ->
  forall x t, a < t < b -> 0 < d t x /\ ex_derive (fun s => d s x) t.
Proof.
  intros Hout Hlen Hex Hdom d Hd x t Ht.
  apply in_map_iff in Hd. destruct Hd as [k [<- Hk]]. apply in_seq in Hk.
  destruct o.
  - apply mvn_shape in Hout. apply parent_shapes_two in Hout as (pm & psg & -> & Hpm & Hpsg).
    simpl.
    assert (Hpos : forall u, a < u < b -> 0 < nth k (find_val (V u) psg) 0).
    { intros u Hu. specialize (Hdom u Hu). simpl in Hdom.
      unfold op_domain_holds in Hdom. simpl in Hdom. rewrite Forall_nth in Hdom. apply Hdom.
      rewrite Hlen, Hpsg by (simpl; tauto). lia. }
    split; [apply gauss_pdf_pos, Hpos, Ht|].
    eexists. apply gauss_pdf_derive; [apply Hpos, Ht| |]; apply Derive_correct, Hex;
      simpl; tauto.
  - simpl. split; [apply gauss_pdf_pos; lra|]. apply ex_derive_const.
Qed.

Lemma smooth_pnodes (ns : list (node R)) :
  forall (se : senv) (valsC : R -> env R) (draws : env R),
  wf_nodes se ns -> Forall (good_node g) ns -> domains_on se_g a b ns valsC ->
  (forall c, In c (g_costs g) -> In c (map fst se) \/ In c (map node_name ns)) ->
  (forall r, In r (map fst se) -> forall u, length (find_val (valsC u) r) = sz r) ->
  (forall r, In r (map fst se) -> forall k t, a < t < b ->
     ex_derive (fun u => nth k (find_val (valsC u) r) 0) t) ->
  smooth (cost_of g) a b (pnodes se_g ns valsC draws).
Proof.
  induction ns as [|n ns IH]; intros se valsC draws Hwf Hgood Hdom Hc Hlen Hex.
  - simpl. intros t Ht. unfold cost_of. simpl.
    exists (rsum (map (fun c => Derive (fun u => nth 0 (find_val (valsC u) c) 0) t) (g_costs g))).
    apply total_cost_derive. intros c Hcin. apply Derive_correct. apply Hex; [|exact Ht].
    destruct (Hc c Hcin) as [H|[]]. exact H.
  - inversion Hwf as [|? ? ? Hfresh _ Hps _ Hwf']; subst.
    inversion Hgood as [|? ? (Hname & Hshape & Hpsg & Hout) Hgood']; subst.
    rewrite Forall_forall in Hps.
    destruct Hdom as [Hdom0 Hdom'].
    assert (Hc' : forall c, In c (g_costs g) ->
              In c (map fst ((node_name n, node_shape n) :: se)) \/ In c (map node_name ns)).
    { intros c Hcin. destruct (Hc c Hcin) as [H|[H|H]]; simpl; auto. }
    destruct n as [r0 o ps|r0 o ps];
      unfold node_name, node_shape, node_op, node_parents in *; simpl in *.
    + apply IH with (se := (ref_name r0, ref_shape r0) :: se); auto.
      * intros r [Hr|Hr] u; simpl in Hr.
        -- subst r. rewrite find_val_cons_eq, Hshape.
           apply (dop_forward_length o (ref_shape r0)); [exact Hout|].
           apply sized_map. intros p Hp. apply Hlen, Hps, Hp.
        -- rewrite find_val_cons_neq by (intros ->; contradiction). auto.
      * intros r [Hr|Hr] k t Ht; simpl in Hr.
        -- subst r. eapply ex_derive_ext;
             [|apply (det_value_derive o (ref_shape r0) ps valsC t Hout)].
           ++ intros u. simpl. now rewrite find_val_cons_eq.
           ++ intros p Hp. apply Hlen, Hps, Hp.
           ++ intros p Hp k'. apply Hex; [apply Hps, Hp|exact Ht].
           ++ apply Hdom0, Ht.
        -- eapply ex_derive_ext; [|apply (Hex r Hr k t Ht)].
           intros u. simpl. rewrite find_val_cons_neq by (intros ->; contradiction).
           reflexivity.
    + apply smooth_pdraw_list.
      * apply (rand_dens_smooth o (ref_shape r0) ps valsC Hout).
        -- intros p Hp. apply Hlen, Hps, Hp.
        -- intros p Hp. apply Hex, Hps, Hp.
        -- exact Hdom0.
      * intros xs Hxs. rewrite map_length, seq_length in Hxs.
        apply IH with (se := (ref_name r0, ref_shape r0) :: se); auto.
        -- intros r [Hr|Hr] u; simpl in Hr.
           ++ subst r. rewrite find_val_cons_eq, Hshape. exact Hxs.
           ++ rewrite find_val_cons_neq by (intros ->; contradiction). auto.
        -- intros r [Hr|Hr] k t Ht; simpl in Hr.
           ++ subst r. eapply ex_derive_ext; [|apply ex_derive_const].
              intros u. simpl. now rewrite find_val_cons_eq.
           ++ eapply ex_derive_ext; [|apply (Hex r Hr k t Ht)].
              intros u. simpl. rewrite find_val_cons_neq by (intros ->; contradiction).
              reflexivity.
Qed.

End Smooth.

(** ** The unrolled estimator over the graph *)

Fixpoint acc_score (ds : list (R -> R -> R)) (xs : list R) (t s : R) : R :=
  match ds, xs with
  | d :: ds', x :: xs' => acc_score ds' xs' t (s + Derive (fun u => ln (d u x)) t)
  | _, _ => s
  end.

Lemma dist_all_true {X : Type} (Q : X -> Prop) (D : dist X) :
  (forall x, Q x) -> dist_all Q D.
Proof. intros H. induction D; simpl; auto. Qed.

Lemma uest_pdraw_list {X : Type} (F H : X -> R) (ds : list (R -> R -> R))
    (K : list R -> pdist X) (K' : list R -> dist X) (t s : R) :
  (forall xs, length xs = length ds -> uest F (K xs) t (acc_score ds xs t s) = expect H (K' xs)) ->
  uest F (pdraw_list ds K) t s = expect H (draw_list (map (fun d => d t) ds) K').
Proof.
  revert K K' s; induction ds as [|d ds IH]; simpl; intros K K' s HK.
  - apply (HK []); reflexivity.
  - apply Lint_ext. intros x. f_equal. apply IH. intros xs Hl.
    apply (HK (x :: xs)). simpl. lia.
Qed.

Lemma acc_score_map (E : nat -> R -> R -> R) (n : nat) :
  forall (m : nat) (xs : list R) (t s : R),
  length xs = n ->
  acc_score (map E (seq m n)) xs t s =
  s + isum n (fun k => Derive (fun u => ln (E (m + k)%nat u (nth k xs 0))) t).
Proof.
  induction n as [|n IH]; intros m [|x xs] t s Hl; simpl in Hl; try lia.
  - simpl. ring.
  - rewrite isum_shift. simpl. rewrite IH by lia.
    rewrite Nat.add_0_r.
    rewrite (isum_ext n (fun k => Derive (fun u => ln (E (S m + k)%nat u (nth k xs 0))) t)
               (fun i => Derive (fun u => ln (E (m + S i)%nat u (nth i xs 0))) t)).
    + ring.
    + intros i _. replace (S m + i)%nat with (m + S i)%nat by lia. reflexivity.
Qed.

Lemma forward_nodes_rand (se : senv) (d : env R) (r : reference) (o : rop) (ps : list string)
    (ns : list (node R)) (E : env R) :
  forward_nodes R_ops se d (NRand r o ps :: ns) E =
  forward_nodes R_ops se d ns ((ref_name r, find_val d (ref_name r)) :: E).
Proof. reflexivity. Qed.

Lemma score_sum_rand (se : senv) (d : env R) (r : reference) (o : rop) (ps : list string)
    (ns : list (node R)) (valsC : R -> env R) (t0 : R) :
  score_sum se d (NRand r o ps :: ns) valsC t0 =
  node_score d valsC (NRand r o ps) t0 +
  score_sum se d ns (fun t => (ref_name r, find_val d (ref_name r)) :: valsC t) t0.
Proof. reflexivity. Qed.

(** The unrolled estimator at a final point [vd] of the run of [ns]: the
    pathwise derivative of the total cost plus the total cost times [s]
    plus the sum of the scores of the draws. *)
Definition unrolled_est (g : graph R) (se : senv) (ns : list (node R)) (valsC : R -> env R)
    (t0 s : R) (vd : env R * env R) : R :=
  Derive (fun t => total_cost R_ops g (forward_nodes R_ops se (snd vd) ns (valsC t))) t0
  + (s + score_sum se (snd vd) ns valsC t0) * total_cost R_ops g (fst vd).

(** After the draw [xs] of a random node, the estimator of the rest of the
    run, with the scores of [xs] accumulated, is the estimator of the run
    with the node, at every final point. *)
Lemma unrolled_est_rand (g : graph R) (t0 : R) (se : senv) (r : reference) (o : rop)
    (ps : list string) (ns : list (node R)) (valsC : R -> env R) (draws : env R) (s : R)
    (xs : list R) :
  ~ In (ref_name r) (map node_name ns) -> length xs = shape_size (ref_shape r) ->
  dist_all (fun vd =>
      unrolled_est g se ns (fun t => (ref_name r, xs) :: valsC t) t0
        (acc_score (map (fun k t => entry_dens o (map (find_val (valsC t)) ps) k)
                        (seq 0 (shape_size (ref_shape r)))) xs t0 s) vd =
      unrolled_est g se (NRand r o ps :: ns) valsC t0 s vd)
    (run_nodes se ns ((ref_name r, xs) :: valsC t0) ((ref_name r, xs) :: draws)).
Proof.
  intros Hn Hxs.
  eapply dist_all_impl; [|apply run_nodes_draws]. intros [v d] [dn [Hd Hdn]]. simpl in Hd.
  assert (Hfind : find_val d (ref_name r) = xs).
  { unfold find_val. rewrite Hd, lookup_app_notin.
    - simpl. now rewrite String.eqb_refl.
    - intros Hin. apply Hn, Hdn, Hin. }
  unfold unrolled_est. simpl fst; simpl snd.
  rewrite score_sum_rand, Hfind.
  assert (Hfw : (fun t => total_cost R_ops g (forward_nodes R_ops se d (NRand r o ps :: ns) (valsC t)))
                = (fun t => total_cost R_ops g (forward_nodes R_ops se d ns ((ref_name r, xs) :: valsC t)))).
  { apply functional_extensionality. intros t. now rewrite forward_nodes_rand, Hfind. }
  rewrite Hfw. unfold node_score. rewrite Hfind.
  rewrite (acc_score_map (fun k t => entry_dens o (map (find_val (valsC t)) ps) k)) by exact Hxs.
  simpl. ring.
Qed.

(** [uest] of the graph's family is the expectation, over the graph's
    distribution at [t0], of the unrolled estimator. *)
Lemma uest_pnodes (g : graph R) (t0 : R) (se : senv) (ns : list (node R)) :
  forall (valsC : R -> env R) (draws : env R) (s : R),
  NoDup (map node_name ns) ->
  uest (cost_of g) (pnodes se ns valsC draws) t0 s =
  expect (unrolled_est g se ns valsC t0 s) (run_nodes se ns (valsC t0) draws).
Proof.
  induction ns as [|n ns IH]; intros valsC draws s Hnd.
  - simpl. unfold cost_of, unrolled_est. simpl. ring.
  - inversion Hnd as [|? ? Hn Hnd']; subst.
    destruct n as [r o ps|r o ps].
    + simpl. rewrite IH by exact Hnd'. apply expect_ext_all, dist_all_true.
      intros vd. unfold unrolled_est. simpl. unfold node_name. simpl. ring.
    + change (pnodes se (NRand r o ps :: ns) valsC draws) with
        (pdraw_list
           (map (fun k t => entry_dens o (map (find_val (valsC t)) ps) k)
                (seq 0 (shape_size (ref_shape r))))
           (fun x => pnodes se ns (fun t => (ref_name r, x) :: valsC t) ((ref_name r, x) :: draws))).
      rewrite (uest_pdraw_list (cost_of g) (unrolled_est g se (NRand r o ps :: ns) valsC t0 s) _ _
                 (fun x => run_nodes se ns ((ref_name r, x) :: valsC t0) ((ref_name r, x) :: draws))).
      * simpl. unfold rand_dens. rewrite map_map. reflexivity.
      * intros xs Hxs. rewrite map_length, seq_length in Hxs.
        rewrite IH by exact Hnd'. apply expect_ext_all.
        apply unrolled_est_rand; assumption.
Qed.

(** ** Every run of the graph: forward values, domains, draw sizes *)

Definition is_rand_node (n : node R) : bool :=
  match n with NDet _ _ _ => false | NRand _ _ _ => true end.

Section Runs.
Variable g : graph R.
Local Notation se_g := (shape_env g).
Local Notation sz r := (shape_size (find_shape (shape_env g) r)).

(** Along every run from the values [valsC t0] (with [t0] in the
    interval): the final environment is [forward_nodes] of the final
    draws, every node's parents are in its operator's domain there, and
    every random node's draw has its shape's number of entries. *)
Lemma run_nodes_leaf (a b t0 : R) (Ht0 : a < t0 < b) (ns : list (node R)) :
  forall (se : senv) (valsC : R -> env R) (draws0 : env R),
  wf_nodes se ns -> domains_on se_g a b ns valsC ->
  dist_all (fun vd =>
      forward_nodes R_ops se_g (snd vd) ns (valsC t0) = fst vd /\
      Forall (fun n =>
          op_domain_holds R_ops (node_op n) (map (find_val (fst vd)) (node_parents n)) /\
          (is_rand_node n = true ->
           length (find_val (snd vd) (node_name n)) = shape_size (node_shape n))) ns)
    (run_nodes se_g ns (valsC t0) draws0).
Proof.
  induction ns as [|n ns IH]; intros se valsC draws0 Hwf Hdom.
  - simpl. split; [reflexivity|constructor].
  - pose proof (parents_not_later se n ns) as Hpl.
    pose proof (name_not_later se n ns Hwf) as Hnl.
    inversion Hwf as [|? ? ? Hfresh _ Hps _ Hwf']; subst.
    rewrite Forall_forall in Hps.
    destruct Hdom as [Hdom0 Hdom'].
    (* the parents' values at the end are those before the node *)
    assert (Hpar : forall (E v : env R) (d : env R) (x : list R),
              forward_nodes R_ops se_g d ns ((node_name n, x) :: E) = v ->
              map (find_val v) (node_parents n) = map (find_val E) (node_parents n)).
    { intros E v d x <-. apply map_ext_in. intros p Hp.
      rewrite find_val_forward_nodes_notin.
      - apply find_val_cons_neq. intros Heq. apply Hfresh. rewrite <- Heq. apply Hps, Hp.
      - intros Hin. apply (Hpl p Hwf (Hps p Hp)). now right. }
    destruct n as [r o ps|r o ps];
      unfold node_parents, node_op, node_name, node_shape in *; simpl in *.
    + eapply dist_all_impl;
        [|apply (IH ((ref_name r, ref_shape r) :: se)
                   (fun t => (ref_name r, dop_forward R_ops o (parent_shapes se_g ps)
                                           (map (find_val (valsC t)) ps)) :: valsC t)); auto].
      intros [v d] [Hv Hall]. simpl in *. split; [exact Hv|]. constructor; [|exact Hall].
      split; [|discriminate]. rewrite (Hpar _ v d _ Hv). apply Hdom0, Ht0.
    + apply dist_all_draw_list. intros xs Hxs.
      unfold rand_dens in Hxs. rewrite map_length, seq_length in Hxs.
      eapply dist_all_impl;
        [|apply dist_all_and;
          [apply (IH ((ref_name r, ref_shape r) :: se) (fun t => (ref_name r, xs) :: valsC t));
           [exact Hwf'|apply Hdom', Hxs]|apply run_nodes_draws]].
      intros [v d] [[Hv Hall] [dn [Hd Hdn]]]. simpl in *.
      assert (Hfind : find_val d (ref_name r) = xs).
      { unfold find_val. rewrite Hd, lookup_app_notin.
        - simpl. now rewrite String.eqb_refl.
        - intros Hin. apply Hnl, Hdn, Hin. }
      split.
      * rewrite Hfind. exact Hv.
      * constructor; [|exact Hall]. split.
        -- rewrite (Hpar _ v d xs Hv). apply Hdom0, Ht0.
        -- intros _. simpl. rewrite Hfind. exact Hxs.
Qed.

End Runs.

(** * The theorem *)

Lemma NoDup_app_r {X : Type} (l1 l2 : list X) : NoDup (l1 ++ l2) -> NoDup l2.
Proof.
  induction l1 as [|x l1 IH]; simpl; intros H; [exact H|].
  inversion H; subst. auto.
Qed.

(** The curve moves entry [j] of [p], with the unit tangent; at the
    entry's value it is at [inputs]. *)
Lemma input_curve_tangents (g : graph R) (inputs : env R) (p : string) (j : nat) :
  wf_graph g -> inputs_fit g inputs -> In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  forall t, curve_tangents (fun r => shape_size (find_shape (shape_env g) r))
              (map fst (input_senv g)) (input_curve inputs p j)
              (unit_tangent (fun r => shape_size (find_shape (shape_env g) r)) p j) t.
Proof.
  intros Hwf Hfit Hp Hj t. pose proof Hwf as (_ & _ & _ & Hpin & _).
  apply (curve_tangents_ext _ _ (fun u => set_entry inputs p j u)).
  - intros u. unfold input_curve. symmetry. apply set_input_entry_set_entry.
  - apply set_entry_tangents; [exact (input_values_sized g inputs Hwf Hfit)| |exact Hj].
    rewrite input_senv_names. now apply Hpin.
Qed.

Lemma input_curve_at (inputs : env R) (p : string) (j : nat) :
  input_curve inputs p j (nth j (find_val inputs p) 0) = inputs.
Proof. unfold input_curve. rewrite set_input_entry_set_entry. apply set_entry_same. Qed.

Section Leaves.
Hypothesis Hops : forall o : dop R, dop_correct o.
Variable g : graph R.
Variable inputs : env R.
Variable p : string.
Variable j : nat.
Variables a b : R.
Hypothesis Hchk : check_graph g = CheckOk.
Hypothesis Hfit : inputs_fit g inputs.
Hypothesis Hp : In p (g_params g).
Hypothesis Hj : (j < shape_size (find_shape (shape_env g) p))%nat.
Hypothesis Hdom : reachable_domains g inputs p j a b.

(** The graph's family is smooth on the interval. *)
Lemma smooth_pgraph : smooth (cost_of g) a b (pgraph g inputs p j).
Proof.
  pose proof (check_graph_sound g Hchk) as Hwf.
  pose proof Hwf as (_ & _ & _ & _ & Hwfn & _ & _).
  pose proof (input_curve_tangents g inputs p j Hwf Hfit Hp Hj) as Hcurve.
  apply (smooth_pnodes g a b Hops (g_nodes g) (input_senv g)); auto.
  - apply wf_graph_good, Hwf.
  - apply costs_covered, Hwf.
  - exact (proj1 (Hcurve 0)).
  - intros r Hr k t _. eexists. apply (Hcurve t), Hr.
Qed.

(** At every final point [(v, dr)] of the run from [inputs]: [v] is the
    forward run on the draws [dr], and entry [j] of [p] of the naive
    adjoint with the multipliers [mult v] is the pathwise derivative of the
    total cost plus the scores of the draws weighted by [mult v]
    ([suffix_identity_est] at the graph's nodes). *)
Lemma leaf_estimator_w (mult : env R -> string -> R) :
  a < nth j (find_val inputs p) 0 < b ->
  dist_all (fun vd =>
      fst vd = forward R_ops g inputs (snd vd) /\
      Derive (fun t => total_cost R_ops g
                (forward_nodes R_ops (shape_env g) (snd vd) (g_nodes g) (input_curve inputs p j t)))
        (nth j (find_val inputs p) 0)
      + score_sum_w (shape_env g) (snd vd) (mult (fst vd)) (g_nodes g)
          (input_curve inputs p j) (nth j (find_val inputs p) 0)
      = nth j (naive_adj_est R_ops g (fst vd) (mult (fst vd)) (g_nodes g) p) 0)
    (graph_dist g inputs).
Proof.
  intros Hab.
  pose proof (check_graph_sound g Hchk) as Hwf.
  pose proof (wf_graph_good g Hwf) as Hgood.
  pose proof (wf_graph_costs g Hwf) as Hcosts.
  pose proof Hwf as (Hndin & _ & _ & Hpin & Hwfn & _ & _).
  set (t0 := nth j (find_val inputs p) 0) in *.
  set (sz := fun r => shape_size (find_shape (shape_env g) r)).
  assert (HpS : In p (map fst (input_senv g))) by (rewrite input_senv_names; now apply Hpin).
  pose proof (input_values_sized g inputs Hwf Hfit) as Hin_len.
  pose proof (input_curve_tangents g inputs p j Hwf Hfit Hp Hj) as Hcurve.
  pose proof (input_curve_at inputs p j) as Hc0. fold t0 in Hc0.
  pose proof (run_nodes_leaf g a b t0 Hab (g_nodes g) (input_senv g) (input_curve inputs p j) []
                Hwfn Hdom) as Hleaf.
  rewrite Hc0 in Hleaf. unfold graph_dist.
  eapply dist_all_impl; [|exact Hleaf]. intros [v dr] [Hv Hall].
  simpl in Hv, Hall |- *. split; [now rewrite <- Hv|].
  assert (Hvals : forall r, In r (map fst (shape_env g)) -> length (find_val v r) = sz r).
  { intros r Hr. rewrite <- Hv.
    apply (forward_nodes_sized g dr (g_nodes g) (input_senv g)); auto.
    - eapply Forall_impl; [|exact Hall]. intros [r0 o ps|r0 o ps] [_ H]; [exact I|now apply H].
    - rewrite input_senv_names, <- shape_env_names. exact Hr. }
  rewrite <- input_senv_names in Hndin.
  rewrite <- (sum_unit_tangent _ sz p j (naive_adj_est R_ops g v (mult v) (g_nodes g)) Hndin HpS Hj).
  apply (suffix_identity_est g dr v t0 Hcosts Hvals Hops (mult v) (g_nodes g)
           (input_senv g) (input_curve inputs p j) (unit_tangent sz p j) Hwfn Hndin).
  - rewrite Forall_forall in Hall, Hgood |- *. intros n Hn. split; [apply Hgood, Hn|].
    apply (Hall n Hn).
  - apply costs_covered, Hwf.
  - apply Hcurve.
  - rewrite Hc0. exact Hv.
Qed.

(** The case of [backprop]: entry [j] of [p] is the unrolled estimator,
    the pathwise derivative of the total cost plus the total cost times
    the sum of the scores of the draws. *)
Lemma backprop_leaf_estimator :
  a < nth j (find_val inputs p) 0 < b ->
  dist_all (fun vd =>
      unrolled_est g (shape_env g) (g_nodes g) (input_curve inputs p j)
        (nth j (find_val inputs p) 0) 0 vd
      = nth j (find_val (backprop R_ops g inputs (snd vd)) p) 0)
    (graph_dist g inputs).
Proof.
  intros Hab. eapply dist_all_impl; [|exact (leaf_estimator_w (fun v _ => total_cost R_ops g v) Hab)].
  intros [v dr] [Hv Hid]. cbv beta in Hid. simpl in Hv, Hid |- *. unfold unrolled_est. simpl.
  rewrite backprop_eq_naive_wf by exact (check_graph_sound g Hchk).
  rewrite find_val_naive_backprop, <- Hv, <- naive_adj_est_const by exact Hp.
  rewrite <- Hid, score_sum_w_const. ring.
Qed.

End Leaves.

Theorem backprop_unbiased_of_ops :
  (forall o : dop R, dop_correct o) -> backprop_unbiased_statement.
Proof.
  intros Hops g inputs p j a b Hchk Hfit Hp Hj Hab Hdom Hint Hdomin.
  pose proof (check_graph_sound g Hchk) as Hwf.
  pose proof (wf_graph_nodup g Hwf) as Hndg.
  set (t0 := nth j (find_val inputs p) 0) in *.
  set (P := pgraph g inputs p j).
  (* the expected cost along the curve is the family's value *)
  apply (is_derive_ext (pval (cost_of g) P)).
  { intros t. symmetry. apply expected_cost_pgraph. }
  (* differentiation under the integrals, and the unrolled estimator *)
  replace (expected_grad g inputs p j) with (uest (cost_of g) P t0 0).
  { apply (pval_derive_uest (cost_of g) a b); [|exact Hint|exact Hdomin|exact Hab].
    exact (smooth_pgraph Hops g inputs p j a b Hchk Hfit Hp Hj Hdom). }
  (* the estimator's expectation, draw by draw *)
  unfold P, pgraph. rewrite uest_pnodes.
  2:{ rewrite shape_env_names in Hndg. eapply NoDup_app_r. exact Hndg. }
  rewrite input_curve_at. unfold expected_grad. apply expect_ext_all.
  exact (backprop_leaf_estimator Hops g inputs p j a b Hchk Hfit Hp Hj Hdom Hab).
Qed.

(** The headline: no premise left but the named preconditions of the
    statement (the operator statement is OpsCorrect.v's theorem). *)
Theorem backprop_unbiased : backprop_unbiased_statement.
Proof. exact (backprop_unbiased_of_ops all_dops_correct). Qed.

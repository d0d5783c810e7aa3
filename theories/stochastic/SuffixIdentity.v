(** * One draw at a time: pathwise derivative + weighted scores = the naive adjoint

    [suffix_identity_est]: for fixed draws [d] and forward values [vals],
    along a curve [E] of the values before a suffix [ns] of the nodes with
    tangents [dE], the pathwise derivative of the total cost plus the sum
    over the random nodes [z] of [mult z] times [z]'s score ([score_sum_w])
    is the naive adjoint with per-node multipliers ([naive_adj_est],
    BackpropEst.v) against [dE].  It is the induction of BackpropCorrect.v's
    [suffix_derive] ([det_node_step_est] of ListSums.v at a deterministic
    node) with random nodes: a random node's value is its draw (zero
    tangent), and its contribution [mult z * rop_score] is its score term
    ([node_score_correct], from the derivative of the log density,
    [gauss_ln_derive]).

    [suffix_identity] is the case of one cost [c] at every node
    ([naive_adj], [score_sum]): Unbiased.v uses it with the run's total
    cost, UnbiasedEst.v uses [suffix_identity_est] with the multipliers of
    an estimator. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Bool Lia Lra.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed Backprop OpsSpec.
From Certigrad Require Import OpsJvp GraphFacts BackpropEst Stochastic ListSums.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * The Gaussian density: positivity and the score *)

(** d/dt ln N(x; m, s^2) = (x-m)/s^2 dm + ((x-m)^2 - s^2)/s^3 ds: the two
    entries of [rop_score Mvn]. *)
Definition gauss_score (m s x dm ds : R) : R :=
  (x - m) / (s * s) * dm + ((x - m) * (x - m) - s * s) / (s * s * s) * ds.

Lemma sqrt_2PI_pos : 0 < sqrt (2 * PI).
Proof. apply sqrt_lt_R0. generalize PI_RGT_0. lra. Qed.

Lemma gauss_pdf_pos (m s x : R) : 0 < s -> 0 < gauss_pdf m s x.
Proof.
  intros Hs. unfold gauss_pdf. apply Rdiv_lt_0_compat; [apply exp_pos|].
  apply Rmult_lt_0_compat; [exact Hs|apply sqrt_2PI_pos].
Qed.

Lemma gauss_pdf_derive (m s : R -> R) (dm ds x t0 : R) :
  0 < s t0 -> is_derive m t0 dm -> is_derive s t0 ds ->
  is_derive (fun t => gauss_pdf (m t) (s t) x) t0
    (gauss_pdf (m t0) (s t0) x * gauss_score (m t0) (s t0) x dm ds).
Proof.
  intros Hs Hm Hsd. pose proof sqrt_2PI_pos as Hc.
  set (c := sqrt (2 * PI)) in *.
  assert (Hs0 : s t0 <> 0) by lra.
  assert (Hu : is_derive (fun t => - ((x - m t) * (x - m t))) t0
                 (- ((x - m t0) * (0 - dm) + (x - m t0) * (0 - dm)))).
  { apply D_opp. eapply is_derive_eq.
    - apply D_mult; apply D_minus; [apply D_const|exact Hm|apply D_const|exact Hm].
    - cbv beta; ring. }
  assert (Hv : is_derive (fun t => 2 * (s t * s t)) t0 (2 * (s t0 * ds + s t0 * ds))).
  { eapply is_derive_eq.
    - apply D_mult; [apply D_const|]. apply D_mult; exact Hsd.
    - cbv beta; ring. }
  assert (Hb : 2 * (s t0 * s t0) <> 0).
  { apply Rmult_integral_contrapositive; split; [lra|].
    apply Rmult_integral_contrapositive; split; lra. }
  assert (Hq := D_div (fun t => - ((x - m t) * (x - m t))) (fun t => 2 * (s t * s t))
                  _ _ t0 Hb Hu Hv).
  assert (He := D_comp exp _ _ _ t0 (D_exp _) Hq).
  assert (Hd : is_derive (fun t => s t * c) t0 (c * ds)).
  { eapply is_derive_eq; [apply D_mult; [exact Hsd|apply D_const]|]. cbv beta; ring. }
  assert (Hsc : s t0 * c <> 0) by (apply Rmult_integral_contrapositive; split; lra).
  assert (Hp := D_div _ (fun t => s t * c) _ _ t0 Hsc He Hd).
  eapply is_derive_eq; [exact Hp|].
  unfold gauss_pdf, gauss_score. fold c. cbv beta.
  field. split; lra.
Qed.

Lemma gauss_ln_derive (m s : R -> R) (dm ds x t0 : R) :
  0 < s t0 -> is_derive m t0 dm -> is_derive s t0 ds ->
  is_derive (fun t => ln (gauss_pdf (m t) (s t) x)) t0 (gauss_score (m t0) (s t0) x dm ds).
Proof.
  intros Hs Hm Hsd. pose proof (gauss_pdf_pos (m t0) (s t0) x Hs) as Hp.
  eapply is_derive_eq.
  - apply (D_comp ln (/ gauss_pdf (m t0) (s t0) x) (fun t => gauss_pdf (m t) (s t) x)
                   (gauss_pdf (m t0) (s t0) x * gauss_score (m t0) (s t0) x dm ds));
      [apply D_ln, Hp|].
    apply gauss_pdf_derive; assumption.
  - field. lra.
Qed.

(** * Shapes of random nodes *)

Lemma mvn_shape (decl s : shape) (ss : list shape) :
  op_out_shape (@ORand R Mvn) decl ss = Some s -> ss = [s; s].
Proof.
  unfold op_out_shape, op_out_shape_res. simpl.
  destruct ss as [|s1 [|s2 [|s3 ss]]]; simpl; try discriminate.
  unfold same_shapes. simpl. unfold shape_eqb.
  destruct (list_eq_dec Nat.eq_dec s1 s2) as [<-|]; simpl; [|discriminate].
  intros [= ->]. reflexivity.
Qed.

Lemma mvn_std_shape (decl s : shape) (ss : list shape) :
  op_out_shape (@ORand R MvnStd) decl ss = Some s -> ss = [].
Proof.
  unfold op_out_shape, op_out_shape_res. simpl.
  destruct ss as [|s1 ss]; simpl; [reflexivity|discriminate].
Qed.

Lemma parent_shapes_two (se : senv) (ps : list string) (s : shape) :
  parent_shapes se ps = [s; s] ->
  exists pm psg, ps = [pm; psg] /\ find_shape se pm = s /\ find_shape se psg = s.
Proof.
  unfold parent_shapes. destruct ps as [|pm [|psg [|]]]; simpl; try discriminate.
  intros [= H1 H2]. eauto.
Qed.

Lemma parent_shapes_nil (se : senv) (ps : list string) : parent_shapes se ps = [] -> ps = [].
Proof. unfold parent_shapes. destruct ps; simpl; [reflexivity|discriminate]. Qed.

(** * The scores of the draws *)

(** The score of the draw of node [n] at [t0]: the sum over its entries of
    [d/dt ln dens_k(t, x_k)], [x] its draw in [d], its parents' values
    given by [valsC]. *)
Definition node_score (d : env R) (valsC : R -> env R) (n : node R) (t0 : R) : R :=
  match n with
  | NDet _ _ _ => 0
  | NRand r o ps =>
      isum (shape_size (ref_shape r)) (fun k =>
        Derive (fun t => ln (entry_dens o (map (find_val (valsC t)) ps) k
                               (nth k (find_val d (ref_name r)) 0))) t0)
  end.

(** The sum of the scores of the draws [d] of the random nodes of [ns], the
    values before [ns] given by [valsC] (a function of [t]). *)
Fixpoint score_sum (se : senv) (d : env R) (ns : list (node R)) (valsC : R -> env R) (t0 : R)
    : R :=
  match ns with
  | [] => 0
  | n :: ns' =>
      node_score d valsC n t0 +
      score_sum se d ns' (fun t => (node_name n, eval_node R_ops se d (valsC t) n) :: valsC t) t0
  end.

(** The same, the score of the random node [z] times [mult z]. *)
Fixpoint score_sum_w (se : senv) (d : env R) (mult : string -> R) (ns : list (node R))
    (valsC : R -> env R) (t0 : R) : R :=
  match ns with
  | [] => 0
  | n :: ns' =>
      mult (node_name n) * node_score d valsC n t0 +
      score_sum_w se d mult ns' (fun t => (node_name n, eval_node R_ops se d (valsC t) n) :: valsC t) t0
  end.

Lemma score_sum_w_const (se : senv) (d : env R) (c : R) (ns : list (node R)) :
  forall (E : R -> env R) (t0 : R),
  score_sum_w se d (fun _ => c) ns E t0 = c * score_sum se d ns E t0.
Proof.
  induction ns as [|n ns IH]; intros E t0; simpl; [ring|].
  rewrite IH. ring.
Qed.

Lemma score_sum_w_rand (se : senv) (d : env R) (mult : string -> R) (t0 : R) (r : reference)
    (o : rop) (ps : list string) (ns : list (node R)) (valsC : R -> env R) :
  score_sum_w se d mult (NRand r o ps :: ns) valsC t0 =
  mult (ref_name r) * node_score d valsC (NRand r o ps) t0 +
  score_sum_w se d mult ns (fun t => (ref_name r, find_val d (ref_name r)) :: valsC t) t0.
Proof. reflexivity. Qed.

(** * The identity *)

Lemma pair_dots_vscale (c : R) (xs ys : list (list R)) :
  pair_dots (map (vscale R_ops c) xs) ys = c * pair_dots xs ys.
Proof.
  unfold pair_dots. revert ys; induction xs as [|x xs IH]; intros [|y ys]; simpl; try ring.
  rewrite dot_vscale_l, IH. ring.
Qed.

Lemma pair_dots_two (a1 a2 b1 b2 : list R) :
  pair_dots [a1; a2] [b1; b2] = dot R_ops a1 b1 + dot R_ops a2 b2.
Proof. unfold pair_dots. simpl. ring. Qed.

Section Pointwise.
Variable g : graph R.
Variable d : env R.
Variable vals : env R.
Variable t0 : R.

Local Notation se_g := (shape_env g).
Local Notation sz r := (shape_size (find_shape (shape_env g) r)).

Hypothesis Hcosts :
  Forall (fun c => In c (map fst se_g) /\ find_shape se_g c = []) (g_costs g).
Hypothesis Hvals : forall r, In r (map fst se_g) -> length (find_val vals r) = sz r.
Hypothesis Hops : forall o : dop R, dop_correct o.

Local Notation adjw m := (naive_adj_est R_ops g vals m).

Lemma rand_scores_sized (c : R) (r0 : reference) (o : rop) (ps : list string) :
  good_node g (NRand r0 o ps) ->
  Forall2 (fun pb s => length pb = shape_size s)
    (map (vscale R_ops c) (rop_score R_ops o (map (find_val vals) ps) (find_val vals (ref_name r0))))
    (map (find_shape se_g) ps).
Proof.
  intros (Hname & Hshape & Hps & Hout).
  unfold node_name, node_shape, node_op, node_parents in *; simpl in *.
  destruct o.
  - apply mvn_shape in Hout. apply parent_shapes_two in Hout as (pm & psg & -> & Hpm & Hpsg).
    assert (Hx : length (find_val vals (ref_name r0)) = shape_size (ref_shape r0))
      by (rewrite Hvals, Hshape by exact Hname; reflexivity).
    assert (Hm : length (find_val vals pm) = shape_size (ref_shape r0))
      by (rewrite Hvals, Hpm by (apply Hps; simpl; tauto); reflexivity).
    assert (Hs : length (find_val vals psg) = shape_size (ref_shape r0))
      by (rewrite Hvals, Hpsg by (apply Hps; simpl; tauto); reflexivity).
    simpl. unfold vscale.
    repeat constructor; rewrite map_length, map3_length, Hx, Hm, Hs, ?Hpm, ?Hpsg;
      rewrite !Nat.min_id; reflexivity.
  - apply mvn_std_shape, parent_shapes_nil in Hout. subst ps. constructor.
Qed.

(** The score of a random node's draw is its [rop_score] against the
    parents' tangents. *)
Lemma node_score_correct (r0 : reference) (o : rop) (ps : list string) (E : R -> env R)
    (dE : string -> list R) :
  good_node g (NRand r0 o ps) ->
  op_domain_holds R_ops (ORand o) (map (find_val (E t0)) ps) ->
  (forall p, In p ps -> forall t, length (find_val (E t) p) = sz p) ->
  (forall p, In p ps -> length (dE p) = sz p) ->
  (forall p, In p ps -> forall k,
     is_derive (fun t => nth k (find_val (E t) p) 0) t0 (nth k (dE p) 0)) ->
  length (find_val d (ref_name r0)) = shape_size (ref_shape r0) ->
  node_score d E (NRand r0 o ps) t0 =
  pair_dots (rop_score R_ops o (map (find_val (E t0)) ps) (find_val d (ref_name r0))) (map dE ps).
Proof.
  intros (Hname & Hshape & Hps & Hout) Hdom Hlen Hdlen Hder Hx.
  unfold node_name, node_shape, node_op, node_parents in *; simpl in *.
  set (x := find_val d (ref_name r0)) in *.
  set (n := shape_size (ref_shape r0)) in *.
  destruct o.
  - apply mvn_shape in Hout. apply parent_shapes_two in Hout as (pm & psg & -> & Hpm & Hpsg).
    assert (Hin1 : In pm [pm; psg]) by (simpl; tauto).
    assert (Hin2 : In psg [pm; psg]) by (simpl; tauto).
    assert (Hm : forall t, length (find_val (E t) pm) = n) by (intros t; rewrite Hlen, Hpm; auto).
    assert (Hs : forall t, length (find_val (E t) psg) = n) by (intros t; rewrite Hlen, Hpsg; auto).
    assert (Hdm : length (dE pm) = n) by (rewrite Hdlen, Hpm; auto).
    assert (Hds : length (dE psg) = n) by (rewrite Hdlen, Hpsg; auto).
    unfold node_score. simpl. fold x n. rewrite pair_dots_two.
    rewrite (dot_isum _ _ n), (dot_isum _ _ n)
      by (rewrite ?map3_length, ?Hx, ?Hm, ?Hs, ?Hdm, ?Hds, ?Nat.min_id; reflexivity).
    rewrite <- isum_plus. apply isum_ext. intros k Hk.
    rewrite !nth_map3 by (rewrite ?Hx, ?Hm, ?Hs; exact Hk).
    assert (Hpos : 0 < nth k (find_val (E t0) psg) 0).
    { unfold op_domain_holds in Hdom. simpl in Hdom. rewrite Forall_nth in Hdom.
      apply Hdom. rewrite Hs. exact Hk. }
    apply is_derive_unique. eapply is_derive_eq.
    + apply (gauss_ln_derive (fun t => nth k (find_val (E t) pm) 0)
                             (fun t => nth k (find_val (E t) psg) 0)
                             (nth k (dE pm) 0) (nth k (dE psg) 0) (nth k x 0) t0
                             Hpos (Hder pm Hin1 k) (Hder psg Hin2 k)).
    + unfold gauss_score. ring.
  - apply mvn_std_shape, parent_shapes_nil in Hout. subst ps.
    unfold node_score. simpl. unfold pair_dots. simpl.
    rewrite (isum_ext _ _ (fun _ => 0)); [apply isum_zero|].
    intros k _. apply Derive_const.
Qed.

(** Per-node multipliers. *)
Lemma suffix_identity_est (mult : string -> R) (ns : list (node R)) :
  forall (se : senv) (E : R -> env R) (dE : string -> list R),
  wf_nodes se ns ->
  NoDup (map fst se) ->
  Forall (fun n => good_node g n /\
            op_domain_holds R_ops (node_op n) (map (find_val vals) (node_parents n))) ns ->
  (forall c, In c (g_costs g) -> In c (map fst se) \/ In c (map node_name ns)) ->
  curve_tangents (fun r => sz r) (map fst se) E dE t0 ->
  forward_nodes R_ops se_g d ns (E t0) = vals ->
  Derive (fun t => total_cost R_ops g (forward_nodes R_ops se_g d ns (E t))) t0
    + score_sum_w se_g d mult ns E t0 =
  rsum (map (fun r => dot R_ops (adjw mult ns r) (dE r)) (map fst se)).
Proof.
  induction ns as [|n ns IH]; intros se E dE Hwf Hnd Hns Hc HE Hfw;
    pose proof HE as (Hlen & Hdlen & Hder).
  - simpl. rewrite Rplus_0_r.
    rewrite (is_derive_unique _ _ (rsum (map (fun c => nth 0 (dE c) 0) (g_costs g)))).
    2:{ apply total_cost_derive. intros c' Hcin. apply Hder.
        destruct (Hc c' Hcin) as [H|[]]. exact H. }
    symmetry. apply (seed_dots g (map fst se) dE Hcosts Hnd).
    intros c' Hcin. destruct (Hc c' Hcin) as [H|[]]. exact H.
  - revert Hfw. inversion Hwf as [|? ? ? Hfresh _ Hps _ Hwf']; subst.
    inversion Hns as [|? ? [Hgood Hdom] Hns']; subst. intros Hfw.
    pose proof Hgood as (Hname & Hshape & Hpsg & Hout).
    pose proof (name_not_later se n ns Hwf) as Hname_later.
    rewrite Forall_forall in Hps.
    assert (Hvals_ps : map (find_val vals) (node_parents n) = map (find_val (E t0)) (node_parents n)).
    { apply map_ext_in. intros p Hp. rewrite <- Hfw. simpl.
      rewrite find_val_forward_nodes_notin.
      - apply find_val_cons_neq. intros Heq. apply Hfresh. rewrite <- Heq. apply Hps, Hp.
      - intros Hin. apply (parents_not_later se n ns p Hwf (Hps p Hp)). now right. }
    assert (Hv0 : find_val vals (node_name n) = eval_node R_ops se_g d (E t0) n).
    { rewrite <- Hfw. simpl. rewrite find_val_forward_nodes_notin by exact Hname_later.
      apply find_val_cons_eq. }
    assert (Hc' : forall c, In c (g_costs g) ->
              In c (map fst ((node_name n, node_shape n) :: se)) \/ In c (map node_name ns)).
    { intros c' Hcin. destruct (Hc c' Hcin) as [H|[H|H]]; simpl; auto. }
    assert (Hadjlen : forall r, length (adjw mult ns r) = sz r).
    { apply (naive_adj_est_length g vals mult Hcosts Hvals); eapply Forall_impl; try exact Hns'.
      - intros m [Hm _]. exact Hm.
      - intros [r1 o1 ps1|r1 o1 ps1] [Hm _]; [exact I|exact (rand_scores_sized _ r1 o1 ps1 Hm)]. }
    assert (Hcontribs : forall pbs,
      Forall2 (fun pb s => length pb = shape_size s) pbs (map (find_shape se_g) (node_parents n)) ->
      rsum (map (fun r => dot R_ops (contribs_to R_ops r (combine (node_parents n) pbs) (adjw mult ns r)) (dE r))
                (map fst se)) =
      rsum (map (fun r => dot R_ops (adjw mult ns r) (dE r)) (map fst se)) + pair_dots pbs (map dE (node_parents n))).
    { intros pbs Hpbs. exact (sum_contribs_combine _ _ pbs (find_shape se_g) _ dE Hnd Hps Hpbs Hadjlen). }
    destruct n as [r0 o ps|r0 o ps];
      unfold node_name, node_shape, node_op, node_parents in Hname, Hshape, Hpsg, Hout, Hdom,
        Hfresh, Hps, Hvals_ps, Hv0, Hc', Hcontribs, Hname_later, Hwf';
      simpl in Hname, Hshape, Hpsg, Hout, Hdom, Hfresh, Hps, Hvals_ps, Hv0, Hc', Hcontribs,
        Hname_later, Hwf'.
    + destruct (det_node_step_est g d vals t0 Hops mult se r0 o ps ns E dE Hwf Hnd Hgood Hdom
                  Hadjlen HE Hfw)
        as (dE' & HE' & Heq).
      rewrite <- Heq, <- (IH _ (det_curve se_g r0 o ps E) dE' Hwf'); auto.
      * change (score_sum_w se_g d mult (NDet r0 o ps :: ns) E t0)
          with (mult (ref_name r0) * 0 + score_sum_w se_g d mult ns (det_curve se_g r0 o ps E) t0).
        rewrite Rmult_0_r, Rplus_0_l. reflexivity.
      * simpl. constructor; assumption.
    + set (x := find_val d (ref_name r0)) in *.
      set (E' := fun t => (ref_name r0, x) :: E t).
      set (dE' := fun r => if String.eqb r (ref_name r0) then repeat 0 (sz (ref_name r0)) else dE r).
      assert (Hxlen : length x = shape_size (ref_shape r0)).
      { rewrite <- Hv0, Hvals, Hshape by exact Hname. reflexivity. }
      assert (HE' : curve_tangents (fun r => sz r) (map fst ((ref_name r0, ref_shape r0) :: se))
                      E' dE' t0).
      { apply curve_tangents_cons; [exact Hfresh|exact HE| | |].
        - intros t. cbv beta. rewrite Hshape. exact Hxlen.
        - apply repeat_length.
        - intros k. rewrite nth_repeat. apply D_const. }
      assert (HIH := IH ((ref_name r0, ref_shape r0) :: se) E' dE' Hwf').
      assert (Hns_score : node_score d E (NRand r0 o ps) t0 =
                pair_dots (rop_score R_ops o (map (find_val vals) ps) (find_val vals (ref_name r0)))
                          (map dE ps)).
      { rewrite Hvals_ps, Hv0. apply (node_score_correct r0 o ps E dE Hgood).
        - rewrite <- Hvals_ps. exact Hdom.
        - intros p Hp. apply Hlen, Hps, Hp.
        - intros p Hp. apply Hdlen, Hps, Hp.
        - intros p Hp. apply Hder, Hps, Hp.
        - exact Hxlen. }
      assert (HR : rsum (map (fun r => dot R_ops (adjw mult (NRand r0 o ps :: ns) r) (dE r)) (map fst se))
                   = rsum (map (fun r => dot R_ops (adjw mult ns r) (dE r)) (map fst se))
                     + pair_dots (map (vscale R_ops (mult (ref_name r0)))
                                   (rop_score R_ops o (map (find_val vals) ps)
                                      (find_val vals (ref_name r0))))
                                 (map dE ps)).
      { exact (Hcontribs _ (rand_scores_sized (mult (ref_name r0)) r0 o ps Hgood)). }
      rewrite HR, pair_dots_vscale, <- Hns_score.
      rewrite score_sum_w_rand. fold x. fold E'.
      change (Derive (fun t => total_cost R_ops g
                                 (forward_nodes R_ops se_g d (NRand r0 o ps :: ns) (E t))) t0)
        with (Derive (fun t => total_cost R_ops g (forward_nodes R_ops se_g d ns (E' t))) t0).
      rewrite (Rplus_comm (mult (ref_name r0) * node_score d E (NRand r0 o ps) t0)),
        <- Rplus_assoc.
      rewrite HIH; clear HIH.
      * unfold dE'. rewrite (sum_dots_cons (map fst se)), dot_zeros_r by exact Hfresh. ring.
      * simpl. constructor; assumption.
      * exact Hns'.
      * exact Hc'.
      * exact HE'.
      * exact Hfw.
Qed.

(** One cost [c] at every random node ([score_sum_w_const],
    [naive_adj_est_const]). *)
Corollary suffix_identity (c : R) (ns : list (node R)) :
  forall (se : senv) (E : R -> env R) (dE : string -> list R),
  wf_nodes se ns ->
  NoDup (map fst se) ->
  Forall (fun n => good_node g n /\
            op_domain_holds R_ops (node_op n) (map (find_val vals) (node_parents n))) ns ->
  (forall c, In c (g_costs g) -> In c (map fst se) \/ In c (map node_name ns)) ->
  curve_tangents (fun r => sz r) (map fst se) E dE t0 ->
  forward_nodes R_ops se_g d ns (E t0) = vals ->
  Derive (fun t => total_cost R_ops g (forward_nodes R_ops se_g d ns (E t))) t0
    + c * score_sum se_g d ns E t0 =
  rsum (map (fun r => dot R_ops (naive_adj R_ops g vals c ns r) (dE r)) (map fst se)).
Proof.
  intros se E dE Hwf Hnd Hns Hc HE Hfw.
  rewrite <- score_sum_w_const, (suffix_identity_est (fun _ => c) ns se E dE Hwf Hnd Hns Hc HE Hfw).
  f_equal. apply map_ext. intros r. now rewrite naive_adj_est_const.
Qed.

End Pointwise.

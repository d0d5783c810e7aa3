(** * The downstream estimator with baselines is unbiased (issue 14)

    [backprop_est_unbiased]: under the preconditions of [backprop_unbiased],
    checked baselines ([check_baselines]) and the integrability of each cost
    ([costs_integrable]), the expectation of the estimate of
    [backprop_est (Downstream bs)] (the score of each random node [z]
    multiplied by the costs reachable from [z] minus [z]'s baseline) is the
    derivative of the expected cost.

    The proof, after UnbiasedEst.v's [backprop_minus_est] (at every draw,
    [backprop] minus the estimate is the sum over the random nodes [z] of
    [z]'s multiplier gap times [z]'s score, [gap_scores]):
    [gap_scores_mean_zero] shows, by induction along the run, that this sum
    is integrable with mean zero.  At a random node [z] with draw [xs]: the
    rest of the sum has mean zero (the induction); [z]'s score is a
    function of [xs] and of what came before, so it leaves the expectation
    over the rest of the run ([expect_scal_l]); the gap's expectation over
    the rest does not depend on [xs] ([gap_expect_indep_checked]); each
    entry's score is a Gaussian score ([entry_score_gauss]) of mean zero
    ([draw_list_score_const]).

    Why [costs_integrable] is a hypothesis: the preconditions of
    [backprop_unbiased] make the total cost integrable, not each cost.
    With costs [c1 = w(x)] and [c2 = f(z) - w(x)], [x] drawn before [z],
    the total is [f(z)] while the gap of [z] is [w(x)], which need not be
    integrable: the downstream estimate then has no expectation. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Bool Lia Lra.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed WellFormedSound Backprop.
From Certigrad Require Import BackpropEst Stochastic StochasticPre Unbiased UnbiasedEst.
From Certigrad Require Import DistRel DistLinear GraphFacts RunFacts GradIntegrable ShardMean.
From Certigrad Require Import TensorFacts ListSums OpsCorrect StdFlatten.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * Integrability: sums, scalars, the rest of a run *)

Section Dint.
Context {A : Type}.

Lemma dintegrable_plus (F H : A -> R) (D : dist A) :
  dintegrable F D -> dintegrable H D -> dintegrable (fun a => F a + H a) D.
Proof.
  induction D as [a|dens k IH]; simpl; [tauto|]. intros [IF Fk] [IH0 Hk]. split.
  - refine (proj1 (Lintegrable_ext
      (fun x => dens x * expect F (k x) + 1 * (dens x * expect H (k x))) _ _) _).
    + intros x. rewrite (expect_plus F H (k x) (IH x (Fk x) (Hk x)) (Hk x)). ring.
    + now apply Lintegrable_plus_scal.
  - intros x. apply IH; auto.
Qed.

Lemma dintegrable_scal (c : R) (F : A -> R) (D : dist A) :
  dintegrable F D -> dintegrable (fun a => c * F a) D.
Proof.
  induction D as [a|dens k IH]; simpl; [tauto|]. intros [IF Fk]. split.
  - refine (proj1 (Lintegrable_ext (fun x => dens x * expect F (k x) * c) _ _) _).
    + intros x. rewrite (expect_scal_l c F (k x) (Fk x)). ring.
    + now apply Lintegrable_scal_r.
  - intros x. apply IH, Fk.
Qed.

Lemma dintegrable_draw_list_k (F : A -> R) (ds : list (R -> R)) (K : list R -> dist A) :
  dintegrable F (draw_list ds K) -> forall xs, length xs = length ds -> dintegrable F (K xs).
Proof.
  revert K; induction ds as [|d ds IH]; intros K HF xs Hl; simpl in *.
  - destruct xs; [exact HF|discriminate].
  - destruct xs as [|x xs]; [discriminate|]. destruct HF as (_ & Fk).
    apply (IH (fun xs => K (x :: xs))); [apply Fk|]. simpl in Hl. lia.
Qed.

End Dint.

(** The entry scores of one node, drawn in turn, against a constant
    factor: integrable (the companion of [draw_list_score_const]). *)
Lemma draw_list_score_integrable {A : Type} (G : A -> R) (c : R) (ds fs : list (R -> R))
    (K : list R -> dist A) :
  length fs = length ds ->
  (forall i, (i < length ds)%nat ->
     Lintegrable (nth i ds (fun _ => 0)) /\ Lint (nth i ds (fun _ => 0)) = 1 /\
     Lintegrable (fun x => nth i ds (fun _ => 0) x * nth i fs (fun _ => 0) x) /\
     Lint (fun x => nth i ds (fun _ => 0) x * nth i fs (fun _ => 0) x) = 0) ->
  forall s, (forall xs, length xs = length ds -> expect G (K xs) = c * score_acc fs xs s) ->
  (forall xs, length xs = length ds -> dintegrable G (K xs)) ->
  dintegrable G (draw_list ds K).
Proof.
  revert fs K. induction ds as [|d ds IH]; intros [|f fs] K Hl Hi s HK HI; simpl in *;
    try discriminate.
  - apply (HI [] eq_refl).
  - destruct (Hi 0%nat ltac:(lia)) as (Id & Md & Idf & Mdf). simpl in Id, Md, Idf, Mdf.
    assert (HK' : forall x xs, length xs = length ds ->
              expect G (K (x :: xs)) = c * score_acc fs xs (s + f x))
      by (intros x xs Hxs; apply (HK (x :: xs)); simpl; lia).
    split.
    + refine (proj1 (Lintegrable_ext (fun x => (d x * (c * s)) + c * (d x * f x)) _ _) _).
      * intros x. rewrite (draw_list_score_const G c ds fs (fun xs => K (x :: xs)) ltac:(lia)
                             (fun i Hil => Hi (S i) ltac:(lia)) (s + f x) (HK' x)).
        ring.
      * apply Lintegrable_plus_scal; [apply Lintegrable_scal_r, Id|exact Idf].
    + intros x. apply (IH fs (fun xs => K (x :: xs)) ltac:(lia)
                         (fun i Hil => Hi (S i) ltac:(lia)) (s + f x) (HK' x)).
      intros xs Hxs. apply (HI (x :: xs)). simpl. lia.
Qed.

Lemma score_acc_map (f : nat -> R -> R) (n : nat) :
  forall (m : nat) (xs : list R) (s : R), length xs = n ->
  score_acc (map f (seq m n)) xs s = s + isum n (fun k => f (m + k)%nat (nth k xs 0)).
Proof.
  induction n as [|n IH]; intros m [|x xs] s Hl; simpl in Hl; try lia.
  - simpl. ring.
  - rewrite isum_shift. simpl. rewrite IH by lia. rewrite Nat.add_0_r.
    rewrite (isum_ext n (fun k => f (S m + k)%nat (nth k xs 0))
               (fun i => f (m + S i)%nat (nth i xs 0))).
    + ring.
    + intros i _. replace (S m + i)%nat with (m + S i)%nat by lia. reflexivity.
Qed.

Lemma nth_map_seq {X : Type} (f : nat -> X) (n i : nat) (d : X) :
  (i < n)%nat -> nth i (map f (seq 0 n)) d = f i.
Proof.
  intros Hi. rewrite (nth_indep _ d (f 0%nat)) by (rewrite map_length, seq_length; exact Hi).
  rewrite map_nth, seq_nth by exact Hi. reflexivity.
Qed.

(** * Each entry's score is a Gaussian score *)

(** The score of entry [k] of a random node at the draw [x]: the
    derivative at [t0] of the log of its density, the parents' values
    given by [valsC]. *)
Definition entry_score (o : rop) (ps : list string) (valsC : R -> env R) (t0 : R) (k : nat)
    (x : R) : R :=
  Derive (fun t => ln (entry_dens o (map (find_val (valsC t)) ps) k x)) t0.

Lemma entry_score_gauss (g : graph R) (r : reference) (o : rop) (ps : list string)
    (valsC : R -> env R) (t0 : R) (k : nat) :
  good_node g (NRand r o ps) ->
  (forall p, In p ps -> length (find_val (valsC t0) p) = shape_size (find_shape (shape_env g) p)) ->
  (forall p, In p ps -> forall i, ex_derive (fun u => nth i (find_val (valsC u) p) 0) t0) ->
  op_domain_holds R_ops (ORand o) (map (find_val (valsC t0)) ps) ->
  (k < shape_size (ref_shape r))%nat ->
  exists m s dm ds, 0 < s /\ entry_dens o (map (find_val (valsC t0)) ps) k = gauss_pdf m s /\
    forall x, entry_score o ps valsC t0 k x = gauss_score m s x dm ds.
Proof.
  intros Hgood Hlen Hex Hdom Hk. destruct o.
  - destruct (mvn_node_parents g r ps Hgood) as (pm & psg & -> & Hpm & Hsg).
    set (m := fun t => nth k (find_val (valsC t) pm) 0).
    set (s := fun t => nth k (find_val (valsC t) psg) 0).
    assert (Hs : 0 < s t0).
    { apply mvn_domain_pos in Hdom. simpl in Hdom. rewrite Forall_forall in Hdom.
      apply Hdom, nth_In. rewrite Hlen, Hsg by (simpl; tauto). exact Hk. }
    exists (m t0), (s t0), (Derive m t0), (Derive s t0). split; [exact Hs|].
    split; [reflexivity|]. intros x. unfold entry_score. simpl.
    apply is_derive_unique. apply (gauss_ln_derive m s); [exact Hs| |];
      apply Derive_correct, Hex; simpl; tauto.
  - exists 0, 1, 0, 0. split; [lra|]. split; [reflexivity|]. intros x.
    unfold entry_score. simpl. rewrite Derive_const. unfold gauss_score. ring.
Qed.

(** The facts [draw_list_score_const] asks of each entry. *)
Lemma entry_facts (g : graph R) (r : reference) (o : rop) (ps : list string)
    (valsC : R -> env R) (t0 : R) :
  good_node g (NRand r o ps) ->
  (forall p, In p ps -> length (find_val (valsC t0) p) = shape_size (find_shape (shape_env g) p)) ->
  (forall p, In p ps -> forall i, ex_derive (fun u => nth i (find_val (valsC u) p) 0) t0) ->
  op_domain_holds R_ops (ORand o) (map (find_val (valsC t0)) ps) ->
  let ds := rand_dens o (map (find_val (valsC t0)) ps) (shape_size (ref_shape r)) in
  let fs := map (entry_score o ps valsC t0) (seq 0 (shape_size (ref_shape r))) in
  forall i, (i < length ds)%nat ->
     Lintegrable (nth i ds (fun _ => 0)) /\ Lint (nth i ds (fun _ => 0)) = 1 /\
     Lintegrable (fun x => nth i ds (fun _ => 0) x * nth i fs (fun _ => 0) x) /\
     Lint (fun x => nth i ds (fun _ => 0) x * nth i fs (fun _ => 0) x) = 0.
Proof.
  intros Hgood Hlen Hex Hdom ds fs i Hi. unfold ds, fs, rand_dens in *.
  rewrite map_length, seq_length in Hi. rewrite !nth_map_seq by exact Hi.
  destruct (entry_score_gauss g r o ps valsC t0 i Hgood Hlen Hex Hdom Hi)
    as (m & s & dm & ds' & Hs & -> & Hsc).
  destruct (gauss_normal m s Hs) as [Im Mm].
  split; [exact Im|]. split; [exact Mm|].
  rewrite (Lint_ext _ (fun x => gauss_pdf m s x * gauss_score m s x dm ds'))
    by (intros x; now rewrite Hsc).
  split; [|now apply gauss_score_mean_zero].
  refine (proj1 (Lintegrable_ext (fun x => gauss_pdf m s x * gauss_score m s x dm ds') _ _) _).
  - intros x. now rewrite Hsc.
  - now apply gauss_score_integrable.
Qed.

(** * The gaps times the scores have mean zero *)

Section ZeroMean.
Variable g : graph R.
Variable bs : list (string * string).
Variables a b t0 : R.
Hypothesis Hchk : check_graph g = CheckOk.
Hypothesis Hbs : check_baselines g bs = CheckOk.
Hypothesis Hab : a < t0 < b.

Local Notation se_g := (shape_env g).
Local Notation sz r := (shape_size (find_shape (shape_env g) r)).

(** The sum over the random nodes [z] of [ns] of [z]'s multiplier gap
    times [z]'s score, at the final point [vd] of a run. *)
Definition gap_scores (ns : list (node R)) (valsC : R -> env R) (vd : env R * env R) : R :=
  score_sum_w se_g (snd vd) (fun z => mult_gap g bs z vd) ns valsC t0.

Theorem gap_scores_mean_zero (ns : list (node R)) :
  forall pre se valsC draws,
  g_nodes g = pre ++ ns ->
  wf_nodes se ns -> Forall (good_node g) ns -> domains_on se_g a b ns valsC ->
  (forall r, In r (map fst se) -> forall u, length (find_val (valsC u) r) = sz r) ->
  (forall r, In r (map fst se) -> forall k, ex_derive (fun u => nth k (find_val (valsC u) r) 0) t0) ->
  (forall w, dintegrable (mult_gap g bs w) (run_nodes se_g ns (valsC t0) draws)) ->
  dintegrable (gap_scores ns valsC) (run_nodes se_g ns (valsC t0) draws) /\
  expect (gap_scores ns valsC) (run_nodes se_g ns (valsC t0) draws) = 0.
Proof.
  induction ns as [|n ns IH]; intros pre se valsC draws Hg Hwf Hgood Hdom Hlen Hex Hint.
  { simpl. split; [exact I|reflexivity]. }
  inversion Hwf as [|? ? ? Hfresh _ Hps _ Hwf']; subst.
  inversion Hgood as [|? ? Hg1 Hgood']; subst.
  pose proof Hg1 as (Hname & Hshape & Hpsg & Hout).
  pose proof (name_not_later se n ns Hwf) as Hnl.
  rewrite Forall_forall in Hps. destruct Hdom as [Hdom0 Hdom'].
  assert (Hg' : g_nodes g = (pre ++ [n]) ++ ns) by (rewrite Hg, <- app_assoc; reflexivity).
  destruct n as [r o ps|r o ps];
    unfold node_name, node_shape, node_op, node_parents in *; simpl in *.
  - (* deterministic: no score; the curve moves on *)
    set (valsC' := fun t => (ref_name r, dop_forward R_ops o (parent_shapes se_g ps)
                                           (map (find_val (valsC t)) ps)) :: valsC t).
    assert (Heq : forall vd, gap_scores (NDet r o ps :: ns) valsC vd = gap_scores ns valsC' vd).
    { intros vd. unfold gap_scores. simpl. rewrite Rmult_0_r, Rplus_0_l. reflexivity. }
    destruct (IH (pre ++ [NDet r o ps]) ((ref_name r, ref_shape r) :: se) valsC' draws Hg'
                Hwf' Hgood' Hdom') as [HI HE]; [| |exact Hint|].
    + intros r' [Hr|Hr] u; simpl in Hr.
      * subst r'. unfold valsC'. rewrite find_val_cons_eq, Hshape.
        apply (dop_forward_length o (ref_shape r)); [exact Hout|].
        apply sized_map. intros q Hq. apply Hlen, Hps, Hq.
      * unfold valsC'. rewrite find_val_cons_neq by (intros ->; contradiction). auto.
    + intros r' [Hr|Hr] k; simpl in Hr.
      * subst r'. eapply ex_derive_ext;
          [|apply (det_value_derive g all_dops_correct o (ref_shape r) ps valsC t0 Hout)].
        -- intros u. unfold valsC'. simpl. now rewrite find_val_cons_eq.
        -- intros q Hq. apply Hlen, Hps, Hq.
        -- intros q Hq k'. apply Hex, Hps, Hq.
        -- apply Hdom0, Hab.
      * eapply ex_derive_ext; [|apply (Hex r' Hr k)].
        intros u. unfold valsC'. simpl. rewrite find_val_cons_neq by (intros ->; contradiction).
        reflexivity.
    + split.
      * refine (dintegrable_ext_all _ _ _ _ HI). apply dist_all_true. intros vd. now rewrite Heq.
      * rewrite <- HE. apply expect_ext_all, dist_all_true. intros vd. apply Heq.
  - (* random: the score of the draw against the gap's constant expectation *)
    set (z := ref_name r) in *.
    set (n0 := shape_size (ref_shape r)) in *.
    set (ds := rand_dens o (map (find_val (valsC t0)) ps) n0).
    set (fs := map (entry_score o ps valsC t0) (seq 0 n0)).
    set (K := fun xs => run_nodes se_g ns ((z, xs) :: valsC t0) ((z, xs) :: draws)).
    assert (Hlds : length ds = n0) by (unfold ds, rand_dens; now rewrite map_length, seq_length).
    assert (Hlfs : length fs = length ds) by (unfold fs; now rewrite map_length, seq_length).
    assert (Hpar_len : forall q, In q ps -> length (find_val (valsC t0) q) = sz q)
      by (intros q Hq; apply Hlen, Hps, Hq).
    assert (Hpar_ex : forall q, In q ps -> forall i,
               ex_derive (fun u => nth i (find_val (valsC u) q) 0) t0)
      by (intros q Hq; apply Hex, Hps, Hq).
    assert (Hdom_t0 := Hdom0 t0 Hab).
    assert (Hfacts := entry_facts g r o ps valsC t0 Hg1 Hpar_len Hpar_ex Hdom_t0).
    cbv zeta in Hfacts. fold n0 ds fs in Hfacts.
    (* the rest of the run after the draw [xs] *)
    assert (HN : forall xs, length xs = n0 -> dnormal (K xs)).
    { intros xs Hxs. unfold K.
      apply (run_nodes_normal g ns ((z, ref_shape r) :: se) _ _ Hwf' Hgood').
      - intros q [Hq|Hq]; simpl in Hq.
        + subst q. rewrite find_val_cons_eq, Hshape. exact Hxs.
        + rewrite find_val_cons_neq by (intros ->; contradiction). apply Hlen, Hq.
      - exact (domains_on_at _ a b t0 ns Hab _ (Hdom' xs Hxs)). }
    set (x0 := repeat 0 n0).
    assert (Hx0 : length x0 = n0) by apply repeat_length.
    set (h := expect (mult_gap g bs z) (K x0)).
    assert (Hh : forall xs, length xs = n0 -> expect (mult_gap g bs z) (K xs) = h).
    { intros xs Hxs. unfold h, K.
      apply (gap_expect_indep_checked g bs pre ns (NRand r o ps) (valsC t0)
               ((z, xs) :: draws) ((z, x0) :: draws) xs x0 Hchk Hbs Hg);
        [apply (HN xs Hxs)|apply (HN x0 Hx0)]. }
    (* at every final point after [xs], the sum splits at [z] *)
    assert (Hsplit : forall xs, length xs = n0 ->
              dist_all (fun vd => score_acc fs xs 0 * mult_gap g bs z vd
                                  + gap_scores ns (fun t => (z, xs) :: valsC t) vd
                                  = gap_scores (NRand r o ps :: ns) valsC vd) (K xs)).
    { intros xs Hxs. eapply dist_all_impl; [|apply run_nodes_draws].
      intros [v d] [dn [Hd Hdn]]. simpl in Hd. subst d.
      assert (Hfind : find_val (dn ++ (z, xs) :: draws) z = xs).
      { unfold find_val. rewrite lookup_app_notin.
        - simpl. now rewrite String.eqb_refl.
        - intros Hin. apply Hnl, Hdn, Hin. }
      unfold gap_scores. simpl. unfold node_score. fold z n0. rewrite Hfind.
      change (node_name (NRand r o ps)) with z. unfold fs. rewrite score_acc_map by exact Hxs.
      unfold entry_score. simpl. ring. }
    assert (Hrest : forall xs, length xs = n0 ->
              dintegrable (gap_scores (NRand r o ps :: ns) valsC) (K xs) /\
              expect (gap_scores (NRand r o ps :: ns) valsC) (K xs) = h * score_acc fs xs 0).
    { intros xs Hxs.
      assert (HIg : dintegrable (mult_gap g bs z) (K xs)).
      { apply (dintegrable_draw_list_k _ ds); [exact (Hint z)|]. rewrite Hlds. exact Hxs. }
      destruct (IH (pre ++ [NRand r o ps]) ((z, ref_shape r) :: se)
                  (fun t => (z, xs) :: valsC t) ((z, xs) :: draws) Hg' Hwf' Hgood'
                  (Hdom' xs Hxs)) as [HI HE].
      - intros q [Hq|Hq] u; simpl in Hq.
        + subst q. rewrite find_val_cons_eq, Hshape. exact Hxs.
        + rewrite find_val_cons_neq by (intros ->; contradiction). apply Hlen, Hq.
      - intros q [Hq|Hq] k; simpl in Hq.
        + subst q. eapply ex_derive_ext; [|apply ex_derive_const].
          intros u. simpl. now rewrite find_val_cons_eq.
        + eapply ex_derive_ext; [|apply (Hex q Hq k)].
          intros u. simpl. rewrite find_val_cons_neq by (intros ->; contradiction).
          reflexivity.
      - intros w. exact (dintegrable_draw_list_k _ ds K (Hint w) xs
                           ltac:(rewrite Hlds; exact Hxs)).
      - assert (HIs : dintegrable (fun vd => score_acc fs xs 0 * mult_gap g bs z vd
                                             + gap_scores ns (fun t => (z, xs) :: valsC t) vd)
                        (K xs))
          by (apply dintegrable_plus; [apply dintegrable_scal, HIg|exact HI]).
        split.
        + exact (dintegrable_ext_all _ _ _ (Hsplit xs Hxs) HIs).
        + rewrite <- (expect_ext_all _ _ _ (Hsplit xs Hxs)).
          assert (HE' : expect (gap_scores ns (fun t => (z, xs) :: valsC t)) (K xs) = 0)
            by exact HE.
          rewrite (expect_plus _ _ _ HIs HI), HE', expect_scal_l, Hh by assumption. ring. }
    split.
    + apply (draw_list_score_integrable _ h ds fs K Hlfs Hfacts 0).
      * intros xs Hxs. rewrite Hlds in Hxs. apply (Hrest xs Hxs).
      * intros xs Hxs. rewrite Hlds in Hxs. apply (Hrest xs Hxs).
    + rewrite (draw_list_score_const _ h ds fs K Hlfs Hfacts 0); [ring|].
      intros xs Hxs. rewrite Hlds in Hxs. apply (Hrest xs Hxs).
Qed.

End ZeroMean.

(** * The gaps are integrable when each cost is *)

(** Each cost is integrable under the graph's distribution. *)
Definition costs_integrable (g : graph R) (inputs : env R) : Prop :=
  forall c, In c (g_costs g) ->
  dintegrable (fun vd => scalar_of R_ops (find_val (fst vd) c)) (graph_dist g inputs).

Lemma cost_fold_integrable (D : dist (env R * env R)) (rs cs : list string) :
  (forall c, In c cs -> dintegrable (fun vd => scalar_of R_ops (find_val (fst vd) c)) D) ->
  forall F0, dintegrable F0 D ->
  dintegrable (fun vd => fold_left (fun acc c => if mem c rs then acc
                                                 else acc + scalar_of R_ops (find_val (fst vd) c))
                           cs (F0 vd)) D.
Proof.
  induction cs as [|c cs IH]; intros Hc F0 HF0; simpl; [exact HF0|].
  apply (IH (fun c' Hc' => Hc c' (or_intror Hc'))
            (fun vd => if mem c rs then F0 vd else F0 vd + scalar_of R_ops (find_val (fst vd) c))).
  destruct (mem c rs); [exact HF0|]. apply dintegrable_plus; [exact HF0|apply Hc; now left].
Qed.

(** A checked baseline is an input: no node changes it. *)
Lemma baseline_val_const (g : graph R) (inputs : env R) (bs : list (string * string))
    (w : string) :
  check_graph g = CheckOk -> check_baselines g bs = CheckOk ->
  dist_all (fun vd => baseline_val bs (fst vd) w = baseline_val bs inputs w) (graph_dist g inputs).
Proof.
  intros Hchk Hbs. unfold baseline_val.
  destruct (lookup bs w) as [b0|] eqn:E; [|apply dist_all_true; reflexivity].
  destruct (check_baselines_lookup g bs w b0 Hbs E) as [_ Hb].
  pose proof (wf_graph_nodup g (check_graph_sound g Hchk)) as Hnd.
  rewrite shape_env_names in Hnd.
  assert (Hbn : ~ In b0 (map node_name (g_nodes g))).
  { intros Hin. apply in_split in Hb as (l1 & l2 & Hb). rewrite Hb, <- app_assoc in Hnd.
    simpl in Hnd. apply NoDup_remove_2 in Hnd. apply Hnd.
    apply in_or_app. right. apply in_or_app. now right. }
  unfold graph_dist. eapply dist_all_impl; [|apply run_nodes_vals].
  intros [v d] [W [HW HWn]]. simpl in HW |- *. subst v.
  unfold find_val. rewrite lookup_app_notin; [reflexivity|]. intros Hin. apply Hbn, HWn, Hin.
Qed.

Lemma gaps_integrable (g : graph R) (inputs : env R) (bs : list (string * string)) :
  check_graph g = CheckOk -> check_baselines g bs = CheckOk ->
  dnormal (graph_dist g inputs) -> costs_integrable g inputs ->
  forall w, dintegrable (mult_gap g bs w) (graph_dist g inputs).
Proof.
  intros Hchk Hbs HN Hc w.
  refine (dintegrable_ext_all
            (fun vd => cost_out g (fst vd) (reach g w) + baseline_val bs (fst vd) w) _ _ _ _).
  - apply dist_all_true. intros vd. unfold mult_gap. now rewrite multiplier_gap.
  - apply dintegrable_plus.
    + unfold cost_out. apply (cost_fold_integrable _ _ (g_costs g) Hc (fun _ => 0)).
      apply dintegrable_zero.
    + apply (dintegrable_const _ _ (baseline_val bs inputs w) HN), baseline_val_const;
        assumption.
Qed.

(** * The theorem *)

(** The downstream estimator with checked baselines: its expectation is
    [backprop]'s. *)
Definition expected_grad_downstream_statement : Prop :=
  forall (g : graph R) (inputs : env R) (bs : list (string * string)) (p : string) (j : nat)
    (a b : R),
  check_graph g = CheckOk ->
  check_baselines g bs = CheckOk ->
  inputs_fit g inputs ->
  In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  a < nth j (find_val inputs p) 0 < b ->
  reachable_domains g inputs p j a b ->
  is_gintegrable g inputs p j a b ->
  can_differentiate_under_integrals g inputs p j a b ->
  costs_integrable g inputs ->
  expected_grad_est (Downstream bs) g inputs p j = expected_grad g inputs p j.

Theorem expected_grad_downstream : expected_grad_downstream_statement.
Proof.
  intros g inputs bs p j a b Hchk Hbs Hfit Hp Hj Hab Hdom Hint Hdiff Hcost.
  pose proof (check_graph_sound g Hchk) as Hwf.
  pose proof Hwf as (_ & _ & _ & _ & Hwfn & _ & _).
  pose proof (input_curve_tangents g inputs p j Hwf Hfit Hp Hj) as Hcurve.
  pose proof (graph_dist_normal_at g inputs p j a b Hchk Hfit Hab Hdom) as HN.
  pose proof (input_curve_at inputs p j) as Hc0.
  assert (Hmin := backprop_minus_est g inputs bs p j a b Hchk Hfit Hp Hj Hab Hdom).
  assert (HB := sampled_grad_dintegrable g inputs p j a b Hchk Hfit Hp Hj Hab Hdom Hint Hdiff).
  set (t0 := nth j (find_val inputs p) 0) in *.
  destruct (gap_scores_mean_zero g bs a b t0 Hchk Hbs Hab (g_nodes g) [] (input_senv g)
              (input_curve inputs p j) [] eq_refl Hwfn (wf_graph_good g Hwf) Hdom)
    as [HWi HWe].
  - exact (proj1 (Hcurve 0)).
  - intros r Hr k. eexists. apply (Hcurve t0), Hr.
  - rewrite Hc0. exact (gaps_integrable g inputs bs Hchk Hbs HN Hcost).
  - rewrite Hc0 in HWi, HWe.
    change (run_nodes (shape_env g) (g_nodes g) inputs []) with (graph_dist g inputs) in HWi, HWe.
    set (B := fun vd : env R * env R => nth j (find_val (backprop R_ops g inputs (snd vd)) p) 0)
      in *.
    set (W := gap_scores g bs t0 (g_nodes g) (input_curve inputs p j)) in *.
    assert (Hall : dist_all (fun vd => B vd + (-1) * W vd =
                     nth j (find_val (est_grads R_ops (Downstream bs) g
                                        (forward R_ops g inputs (snd vd))) p) 0)
                     (graph_dist g inputs)).
    { eapply dist_all_impl; [|exact Hmin]. intros vd H. unfold W, gap_scores.
      cbv beta in H. rewrite <- H. unfold B. ring. }
    assert (HIs : dintegrable (fun vd => B vd + (-1) * W vd) (graph_dist g inputs))
      by (apply dintegrable_plus; [exact HB|apply dintegrable_scal, HWi]).
    unfold expected_grad_est. rewrite <- (expect_ext_all _ _ _ Hall).
    rewrite (expect_plus _ _ _ HIs (dintegrable_scal _ _ _ HWi)), expect_scal_l, HWe
      by exact HWi.
    unfold expected_grad, B. ring.
Qed.

(** The headline: under the preconditions of [backprop_unbiased], checked
    baselines and integrable costs, the downstream estimator with
    baselines is unbiased. *)
Definition backprop_est_unbiased_statement : Prop :=
  forall (g : graph R) (inputs : env R) (bs : list (string * string)) (p : string) (j : nat)
    (a b : R),
  check_graph g = CheckOk ->
  check_baselines g bs = CheckOk ->
  inputs_fit g inputs ->
  In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  a < nth j (find_val inputs p) 0 < b ->
  reachable_domains g inputs p j a b ->
  is_gintegrable g inputs p j a b ->
  can_differentiate_under_integrals g inputs p j a b ->
  costs_integrable g inputs ->
  is_derive (fun t => expected_cost g (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0)
    (expected_grad_est (Downstream bs) g inputs p j).

Theorem backprop_est_unbiased : backprop_est_unbiased_statement.
Proof.
  intros g inputs bs p j a b Hchk Hbs Hfit Hp Hj Hab Hdom Hint Hdiff Hcost.
  rewrite (expected_grad_downstream g inputs bs p j a b Hchk Hbs Hfit Hp Hj Hab Hdom Hint Hdiff
             Hcost).
  exact (backprop_unbiased g inputs p j a b Hchk Hfit Hp Hj Hab Hdom Hint Hdiff).
Qed.

(** * Two cases with no hypothesis beyond [backprop_unbiased]'s *)

(** One cost: its integrability is [is_gintegrable]'s. *)
Lemma one_cost_integrable (g : graph R) (inputs : env R) (p : string) (j : nat) (a b : R)
    (c : string) :
  g_costs g = [c] -> is_gintegrable g inputs p j a b -> a < nth j (find_val inputs p) 0 < b ->
  costs_integrable g inputs.
Proof.
  intros Hc Hint Hab c' Hc'. rewrite Hc in Hc'. destruct Hc' as [<-|[]].
  pose proof (is_gintegrable_at g inputs p j a b _ Hint Hab) as H.
  pose proof (input_curve_at inputs p j) as Hc0. unfold input_curve in Hc0. rewrite Hc0 in H.
  refine (dintegrable_ext_all _ _ _ _ H). apply dist_all_true. intros vd.
  unfold cost_of, total_cost. rewrite Hc. simpl. ring.
Qed.

Definition backprop_est_unbiased_one_cost_statement : Prop :=
  forall (g : graph R) (inputs : env R) (bs : list (string * string)) (p : string) (j : nat)
    (a b : R) (c : string),
  g_costs g = [c] ->
  check_graph g = CheckOk ->
  check_baselines g bs = CheckOk ->
  inputs_fit g inputs ->
  In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  a < nth j (find_val inputs p) 0 < b ->
  reachable_domains g inputs p j a b ->
  is_gintegrable g inputs p j a b ->
  can_differentiate_under_integrals g inputs p j a b ->
  is_derive (fun t => expected_cost g (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0)
    (expected_grad_est (Downstream bs) g inputs p j).

Theorem backprop_est_unbiased_one_cost : backprop_est_unbiased_one_cost_statement.
Proof.
  intros g inputs bs p j a b c Hc Hchk Hbs Hfit Hp Hj Hab Hdom Hint Hdiff.
  apply (backprop_est_unbiased g inputs bs p j a b); try assumption.
  exact (one_cost_integrable g inputs p j a b c Hc Hint Hab).
Qed.

(** Standard-normal noise only ([mvn_std], as in a reparameterized graph):
    every score is zero, so the downstream estimate is [backprop]'s at
    every draw, whatever the baselines. *)
Lemma score_sum_w_std (se : senv) (d : env R) (mult : string -> R) (ns : list (node R)) :
  StdFlatten.all_std ns = true ->
  forall (E : R -> env R) (t0 : R), score_sum_w se d mult ns E t0 = 0.
Proof.
  induction ns as [|n ns IH]; intros Hs E t0; [reflexivity|].
  simpl in Hs. apply andb_true_iff in Hs as [Hn Hs].
  simpl. rewrite IH by exact Hs.
  destruct n as [r o ps|r [|] ps]; simpl; try discriminate; [ring|].
  rewrite (isum_ext _ _ (fun _ => 0)); [rewrite isum_zero; ring|].
  intros k _. apply Derive_const.
Qed.

Theorem expected_grad_downstream_std (g : graph R) (inputs : env R) (bs : list (string * string))
    (p : string) (j : nat) (a b : R) :
  check_graph g = CheckOk -> inputs_fit g inputs -> In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  a < nth j (find_val inputs p) 0 < b ->
  reachable_domains g inputs p j a b ->
  StdFlatten.all_std (g_nodes g) = true ->
  expected_grad_est (Downstream bs) g inputs p j = expected_grad g inputs p j.
Proof.
  intros Hchk Hfit Hp Hj Hab Hdom Hstd.
  unfold expected_grad_est, expected_grad. apply expect_ext_all.
  eapply dist_all_impl; [|exact (backprop_minus_est g inputs bs p j a b Hchk Hfit Hp Hj Hab Hdom)].
  intros vd H. cbv beta in H. rewrite score_sum_w_std in H by exact Hstd. lra.
Qed.

(** * The estimators of BackpropEst.v, in expectation (issue 14)

    [expected_grad_est est g inputs p j]: the expectation over the draws of
    [graph_dist] of entry [j] of [p]'s gradient from [est_grads est] (the
    estimate of [backprop_est est] once its baselines are checked,
    [backprop_est_ok]).

    Proved here:
    - [expected_grad_est_all]: for [AllCosts] it is [expected_grad], so
      [backprop_est_all_unbiased]: under the preconditions of
      [backprop_unbiased] it is the derivative of the expected cost.
    - The combinatorial facts behind the downstream estimator:
      [reach_from_mono] (the reachable set only grows);
      [forward_nodes_off_reach] (two runs whose draws agree off the
      reachable set, from environments agreeing off it, agree off it: a
      non-descendant of [z] does not depend on [z]'s draw);
      [total_cost_split] (C = the reachable costs + the others) and
      [multiplier_gap] (C - M_z = the costs not reachable from [z] + [z]'s
      baseline), with [multiplier_gap_off_reach] (that gap is the same in
      two runs agreeing off the reachable set).
    - The two key facts of the issue: the Gaussian score has mean zero
      ([gauss_score_mean_zero], from GaussianBridge.v's mass, mean and
      variance) and is integrable against the density
      ([gauss_score_integrable]); and, in expectation over the rest of a run
      ([expect_off_reach], by induction over the remaining nodes), a
      function of the values off the names reachable so far does not depend
      on the values of those names (a descendant's density has mass 1 and
      is not read; a non-descendant's density reads only unreachable
      values).
    - [gap_expect_indep]: for the nodes after [z] in the graph, the
      expectation of [z]'s multiplier gap ([mult_gap]) over the rest of the
      run does not depend on [z]'s draw ([expect_off_reach] with
      [multiplier_gap_off_reach]; the baseline not reachable from [z]).
    - Their combination at one scalar Gaussian draw
      ([draw_score_const_zero]): the score times an inner expectation that
      does not depend on the draw integrates to zero; and [expect_scal_l]
      (a constant factor leaves [expect]).
    - Step (1), at every draw: [baseline_off_reach] (a checked baseline is
      not reachable from its node: the hypothesis of [gap_expect_indep]
      holds under [check_graph] and [check_baselines]);
      [est_leaf_estimator] (Unbiased.v's [leaf_estimator_w] at the
      estimator's multipliers: the estimate is the pathwise derivative plus
      [score_sum_w], the multiplier-weighted scores); [backprop_minus_est]
      (backprop minus the downstream estimate is the sum over the random
      nodes [z] of [mult_gap z] times [z]'s score, [score_sum_w]).
    - A step of (2): [draw_list_score_const] (the entry scores of one node,
      drawn in turn, against a constant factor, integrate to that factor
      times the scores before).

    The theorem for the downstream estimator, from these pieces, is
    UnbiasedDownstream.v's [backprop_est_unbiased]. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Bool Lia Lra.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed WellFormedSound Backprop.
From Certigrad Require Import ForwardOnce BackpropEst Stochastic StochasticPre Unbiased.
From Certigrad Require Import SuffixIdentity GaussianBridge DistRel DistLinear GraphFacts RunFacts.
From Certigrad Require Import OpsSpec BackpropNaive OpsCorrect.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * The expectation of an estimator *)

Definition expected_grad_est (est : estimator) (g : graph R) (inputs : env R) (p : string)
    (j : nat) : R :=
  expect (fun vd => nth j (find_val (est_grads R_ops est g (forward R_ops g inputs (snd vd))) p) 0)
    (graph_dist g inputs).

Lemma expected_grad_est_all g inputs p j :
  expected_grad_est AllCosts g inputs p j = expected_grad g inputs p j.
Proof.
  unfold expected_grad_est, expected_grad.
  f_equal. apply FunctionalExtensionality.functional_extensionality. intros vd.
  now rewrite est_grads_all, <- backprop_from_forward.
Qed.

(** Certigrad's estimator through [backprop_est]: unbiased under the
    preconditions of [backprop_unbiased]. *)
Definition backprop_est_all_unbiased_statement : Prop :=
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
    (expected_grad_est AllCosts g inputs p j).

Theorem backprop_est_all_unbiased : backprop_est_all_unbiased_statement.
Proof.
  intros g inputs p j a b Hc Hf Hp Hj Hab Hr Hi Hd.
  rewrite expected_grad_est_all. exact (backprop_unbiased g inputs p j a b Hc Hf Hp Hj Hab Hr Hi Hd).
Qed.

(** * Reachability *)

Lemma reach_from_mono (ns : list (node R)) acc k :
  mem k acc = true -> mem k (reach_from ns acc) = true.
Proof.
  revert acc. induction ns as [|n ns IH]; intros acc H; simpl; [exact H|].
  apply IH. destruct (existsb _ _); [|exact H].
  simpl. now rewrite H, orb_true_r.
Qed.

Lemma mem_cons_false k x l : mem k (x :: l) = false -> k <> x /\ mem k l = false.
Proof.
  unfold mem; simpl. intros H. apply orb_false_iff in H as [H1 H2].
  split; [now apply String.eqb_neq|exact H2].
Qed.

(** The reachable set adds only names of [ns]. *)
Lemma reach_from_sub (ns : list (node R)) acc k :
  mem k (reach_from ns acc) = true -> mem k acc = true \/ In k (map node_name ns).
Proof.
  revert acc. induction ns as [|n ns IH]; intros acc H; simpl in *; [now left|].
  destruct (IH _ H) as [H1|H1]; [|now right; right].
  destruct (existsb _ _); [|now left].
  unfold mem in H1; simpl in H1. apply orb_true_iff in H1 as [H1|H1].
  - right; left. symmetry. now apply String.eqb_eq.
  - now left.
Qed.

(** Two runs agree off the reachable set: for nodes of distinct names,
    environments [v1], [v2] agreeing on every name outside [acc], and draws
    agreeing on every random node of [ns] outside the final reachable set,
    the forward values agree on every name outside that set. *)
Lemma forward_nodes_off_reach se (d1 d2 : env R) (ns : list (node R)) acc v1 v2 :
  NoDup (map node_name ns) ->
  (forall k, mem k acc = false -> lookup v1 k = lookup v2 k) ->
  (forall n, In n ns -> mem (node_name n) (reach_from ns acc) = false ->
     find_val d1 (node_name n) = find_val d2 (node_name n)) ->
  forall k, mem k (reach_from ns acc) = false ->
    lookup (forward_nodes R_ops se d1 ns v1) k = lookup (forward_nodes R_ops se d2 ns v2) k.
Proof.
  revert acc v1 v2. induction ns as [|n ns IH]; intros acc v1 v2 Hu Hv Hd; simpl.
  - exact Hv.
  - set (acc' := if existsb (fun p => mem p acc) (node_parents n) then node_name n :: acc else acc).
    simpl in Hu. apply NoDup_cons_iff in Hu as [Hn Hu].
    apply IH; [exact Hu| |].
    + intros k Hk. simpl. destruct (String.eqb k (node_name n)) eqn:Ek.
      * apply String.eqb_eq in Ek. subst k. f_equal.
        assert (Hpar : existsb (fun p => mem p acc) (node_parents n) = false).
        { unfold acc' in Hk. destruct (existsb _ _); [|reflexivity].
          exfalso. apply mem_cons_false in Hk as [Hk _]. now apply Hk. }
        assert (Hps : map (find_val v1) (node_parents n) = map (find_val v2) (node_parents n)).
        { apply map_ext_in. intros q Hq. unfold find_val.
          rewrite Hv; [reflexivity|].
          destruct (mem q acc) eqn:Eq; [|reflexivity].
          exfalso. assert (existsb (fun p => mem p acc) (node_parents n) = true)
            by (apply existsb_exists; eauto). congruence. }
        destruct n as [r o ps|r o ps]; simpl in *.
        -- now rewrite Hps.
        -- apply (Hd (NRand r o ps)); [now left|].
           change (mem (node_name (@NRand R r o ps)) (reach_from ns acc') = false).
           destruct (mem (node_name (@NRand R r o ps)) (reach_from ns acc')) eqn:E; [|reflexivity].
           exfalso. apply reach_from_sub in E as [E|E]; [congruence|exact (Hn E)].
      * apply Hv. unfold acc' in Hk. destruct (existsb _ _); [|exact Hk].
        now apply mem_cons_false in Hk as [_ Hk].
    + intros m Hm. apply Hd. now right.
Qed.

(** * The multiplier's gap *)

(** The sum of the values of the costs outside [rs], in cost order. *)
Definition cost_out (g : graph R) (vals : env R) (rs : list string) : R :=
  fold_left (fun acc c => if mem c rs then acc else acc + scalar_of R_ops (find_val vals c))
    (g_costs g) 0.

Lemma fold_split (cs : list string) (f : string -> R) (rs : list string) y z :
  fold_left (fun acc c => if mem c rs then acc + f c else acc) cs y
  + fold_left (fun acc c => if mem c rs then acc else acc + f c) cs z
  = fold_left (fun acc c => acc + f c) cs (y + z).
Proof.
  revert y z. induction cs as [|c cs IH]; intros y z; simpl; [reflexivity|].
  destruct (mem c rs); rewrite IH; f_equal; ring.
Qed.

Lemma total_cost_split g vals rs :
  total_cost R_ops g vals = cost_in R_ops g vals rs + cost_out g vals rs.
Proof.
  unfold total_cost, cost_in, cost_out. simpl.
  rewrite (fold_split (g_costs g) (fun c => scalar_of R_ops (find_val vals c)) rs 0 0).
  now rewrite Rplus_0_r.
Qed.

(** [z]'s baseline value (0 without one). *)
Definition baseline_val (bs : list (string * string)) (vals : env R) (z : string) : R :=
  match lookup bs z with Some b => scalar_of R_ops (find_val vals b) | None => 0 end.

Lemma multiplier_gap g vals bs z :
  total_cost R_ops g vals - multiplier R_ops (Downstream bs) g vals z
  = cost_out g vals (reach g z) + baseline_val bs vals z.
Proof.
  rewrite (total_cost_split g vals (reach g z)).
  unfold multiplier, baseline_val. destruct (lookup bs z); simpl; ring.
Qed.

Lemma cost_out_agree g v1 v2 rs :
  (forall c, mem c rs = false -> find_val v1 c = find_val v2 c) ->
  cost_out g v1 rs = cost_out g v2 rs.
Proof.
  intros H. unfold cost_out. generalize 0. induction (g_costs g) as [|c cs IH]; intros x; simpl;
    [reflexivity|].
  destruct (mem c rs) eqn:E; [apply IH|]. rewrite (H c E). apply IH.
Qed.

(** The gap of [z]'s multiplier is the same in two runs that agree off the
    names reachable from [z] (e.g. two runs that differ in [z]'s draw and
    the draws of its descendants only, [forward_nodes_off_reach]), when
    [z]'s baseline is not reachable from [z]. *)
Lemma multiplier_gap_off_reach g v1 v2 bs z :
  (forall k, mem k (reach g z) = false -> find_val v1 k = find_val v2 k) ->
  (forall b, lookup bs z = Some b -> mem b (reach g z) = false) ->
  total_cost R_ops g v1 - multiplier R_ops (Downstream bs) g v1 z
  = total_cost R_ops g v2 - multiplier R_ops (Downstream bs) g v2 z.
Proof.
  intros H Hb. rewrite !multiplier_gap. rewrite (cost_out_agree g v1 v2 _ H).
  unfold baseline_val. destruct (lookup bs z) as [b|] eqn:E; [|reflexivity].
  now rewrite (H b (Hb b eq_refl)).
Qed.

(** * The Gaussian score has mean zero

    E[(x - m)/s^2] = 0 and E[((x - m)^2 - s^2)/s^3] = 0 for x ~ N(m, s^2)
    (GaussianBridge.v: mass 1, mean [m], variance [s^2]); hence the score of
    [gauss_score] (Unbiased.v, the derivative of the log density along
    (dm, ds)) integrates to zero against the density. *)

Lemma gauss_score_mu_mean (m s : R) : 0 < s ->
  Lint (fun x => gauss_pdf m s x * ((x - m) / (s * s))) = 0.
Proof.
  intros Hs. assert (Hs0 : s <> 0) by lra.
  rewrite (Lint_ext _ (fun x => (gauss_pdf m s x * x + (- m) * gauss_pdf m s x) * / (s * s)))
    by (intros x; field; exact Hs0).
  assert (I1 := stochastic_gauss_integrable_id m s Hs).
  assert (I2 := stochastic_gauss_integrable m s Hs).
  rewrite Lint_scal_r by (now apply Lintegrable_plus_scal).
  rewrite (Lint_plus_scal _ _ _ I1 I2), stochastic_gauss_mean_l, stochastic_gauss_mass by exact Hs.
  ring.
Qed.

Lemma gauss_score_sigma_mean (m s : R) : 0 < s ->
  Lint (fun x => gauss_pdf m s x * (((x - m) * (x - m) - s * s) / (s * s * s))) = 0.
Proof.
  intros Hs. assert (Hs0 : s <> 0) by lra.
  rewrite (Lint_ext _ (fun x => (gauss_pdf m s x * ((x - m) * (x - m))
                                 + (- (s * s)) * gauss_pdf m s x) * / (s * s * s)))
    by (intros x; field; exact Hs0).
  assert (I1 := stochastic_gauss_integrable_cpow2 m s Hs).
  assert (I2 := stochastic_gauss_integrable m s Hs).
  rewrite Lint_scal_r by (now apply Lintegrable_plus_scal).
  rewrite (Lint_plus_scal _ _ _ I1 I2), stochastic_gauss_variance_l, stochastic_gauss_mass
    by exact Hs.
  ring.
Qed.

Lemma gauss_score_integrable (m s dm ds : R) : 0 < s ->
  Lintegrable (fun x => gauss_pdf m s x * gauss_score m s x dm ds).
Proof.
  intros Hs. assert (Hs0 : s <> 0) by lra.
  assert (I0 := stochastic_gauss_integrable m s Hs).
  assert (I1 := stochastic_gauss_integrable_id m s Hs).
  assert (I2 := stochastic_gauss_integrable_cpow2 m s Hs).
  refine (proj1 (Lintegrable_ext
    (fun x => (gauss_pdf m s x * x + (- m) * gauss_pdf m s x) * (dm / (s * s))
              + (ds / (s * s * s)) * (gauss_pdf m s x * ((x - m) * (x - m))
                                      + (- (s * s)) * gauss_pdf m s x)) _ _) _).
  - intros x. unfold gauss_score. field. exact Hs0.
  - apply Lintegrable_plus_scal; [apply Lintegrable_scal_r|]; now apply Lintegrable_plus_scal.
Qed.

(** The score of a Gaussian draw, against its density, along any
    direction (dm, ds): zero. *)
Theorem gauss_score_mean_zero (m s dm ds : R) : 0 < s ->
  Lint (fun x => gauss_pdf m s x * gauss_score m s x dm ds) = 0.
Proof.
  intros Hs. assert (Hs0 : s <> 0) by lra.
  assert (I1 : Lintegrable (fun x => gauss_pdf m s x * ((x - m) / (s * s)))).
  { refine (proj1 (Lintegrable_ext
      (fun x => (gauss_pdf m s x * x + (- m) * gauss_pdf m s x) * / (s * s)) _ _) _).
    - intros x. field. exact Hs0.
    - apply Lintegrable_scal_r, Lintegrable_plus_scal;
        [apply stochastic_gauss_integrable_id|apply stochastic_gauss_integrable]; exact Hs. }
  assert (I2 : Lintegrable (fun x => gauss_pdf m s x * (((x - m) * (x - m) - s * s) / (s * s * s)))).
  { refine (proj1 (Lintegrable_ext
      (fun x => (gauss_pdf m s x * ((x - m) * (x - m)) + (- (s * s)) * gauss_pdf m s x)
                * / (s * s * s)) _ _) _).
    - intros x. field. exact Hs0.
    - apply Lintegrable_scal_r, Lintegrable_plus_scal;
        [apply stochastic_gauss_integrable_cpow2|apply stochastic_gauss_integrable]; exact Hs. }
  rewrite (Lint_ext _ (fun x => gauss_pdf m s x * ((x - m) / (s * s)) * dm
                                + ds * (gauss_pdf m s x * (((x - m) * (x - m) - s * s) / (s * s * s)))))
    by (intros x; unfold gauss_score; ring).
  rewrite (Lint_plus_scal (fun x => gauss_pdf m s x * ((x - m) / (s * s)) * dm)
             (fun x => gauss_pdf m s x * (((x - m) * (x - m) - s * s) / (s * s * s))) ds
             (Lintegrable_scal_r _ dm I1) I2).
  rewrite Lint_scal_r by exact I1.
  rewrite gauss_score_mu_mean, gauss_score_sigma_mean by exact Hs. ring.
Qed.

(** * What does not descend from a draw does not depend on it, in expectation

    The rest of a run, after a draw of [z]: a function [F] of the final
    values off the names reachable from [z] has an expectation that does
    not depend on the values of the names reachable so far (z's draw among
    them).  A descendant's density may depend on them, but [F] does not read
    its draw and the density has mass 1; a non-descendant's density reads
    only values off the reachable set.  No integrability is needed: each
    step is [Lint_ext] or a constant times a density of mass 1. *)

Lemma dnormal_draw_list_k {A : Type} (ds : list (R -> R)) (K : list R -> dist A) :
  dnormal (draw_list ds K) -> forall xs, length xs = length ds -> dnormal (K xs).
Proof.
  revert K; induction ds as [|d ds IH]; intros K HN xs Hl; simpl in *.
  - destruct xs; [exact HN|discriminate].
  - destruct xs as [|x xs]; [discriminate|]. destruct HN as (_ & _ & Nk).
    apply (IH (fun xs => K (x :: xs))); [apply Nk|]. simpl in Hl. lia.
Qed.

Lemma expect_draw_list_const {A : Type} (F : A -> R) (ds : list (R -> R)) (K : list R -> dist A)
    (c : R) :
  dnormal (draw_list ds K) ->
  (forall xs, length xs = length ds -> expect F (K xs) = c) ->
  expect F (draw_list ds K) = c.
Proof.
  revert K; induction ds as [|d ds IH]; intros K HN HK; simpl in *.
  - now apply HK.
  - destruct HN as (Id & Md & Nk).
    rewrite (Lint_ext _ (fun x => d x * c)).
    + rewrite Lint_scal_r, Md by exact Id. ring.
    + intros x. f_equal. apply IH; [apply Nk|]. intros xs Hl. apply HK. simpl. lia.
Qed.

Lemma expect_draw_list_ext {A : Type} (F : A -> R) (ds : list (R -> R))
    (K1 K2 : list R -> dist A) :
  (forall xs, length xs = length ds -> expect F (K1 xs) = expect F (K2 xs)) ->
  expect F (draw_list ds K1) = expect F (draw_list ds K2).
Proof.
  revert K1 K2; induction ds as [|d ds IH]; intros K1 K2 HK; simpl.
  - now apply HK.
  - apply Lint_ext. intros x. f_equal. apply IH. intros xs Hl. apply HK. simpl. lia.
Qed.

Theorem expect_off_reach (se : senv) (F : env R * env R -> R) (ns : list (node R)) :
  NoDup (map node_name ns) ->
  forall acc v1 v2 d1 d2,
  (forall k, mem k acc = false -> find_val v1 k = find_val v2 k) ->
  dnormal (run_nodes se ns v1 d1) -> dnormal (run_nodes se ns v2 d2) ->
  (forall a b, (forall k, mem k (reach_from ns acc) = false -> find_val (fst a) k = find_val (fst b) k) ->
     F a = F b) ->
  expect F (run_nodes se ns v1 d1) = expect F (run_nodes se ns v2 d2).
Proof.
  induction ns as [|n ns IH]; intros Hu acc v1 v2 d1 d2 Hv HN1 HN2 HF.
  - simpl. apply HF. exact Hv.
  - simpl in Hu. apply NoDup_cons_iff in Hu as [Hn Hu].
    (* the values of the parents agree when none is reachable *)
    assert (Hpar : existsb (fun p => mem p acc) (node_parents n) = false ->
                   map (find_val v1) (node_parents n) = map (find_val v2) (node_parents n)).
    { intros Ep. apply map_ext_in. intros q Hq. apply Hv.
      destruct (mem q acc) eqn:Eq; [|reflexivity].
      exfalso. assert (existsb (fun p => mem p acc) (node_parents n) = true)
        by (apply existsb_exists; eauto). congruence. }
    destruct n as [r o ps|r o ps]; simpl in *.
    + (* deterministic *)
      set (acc' := if existsb (fun p => mem p acc) ps then ref_name r :: acc else acc) in *.
      apply (IH Hu acc'); [|exact HN1|exact HN2|exact HF].
      intros k Hk. destruct (String.eqb_spec k (ref_name r)) as [->|Hne].
      * rewrite !find_val_cons_eq.
        destruct (existsb (fun p => mem p acc) ps) eqn:Ep.
        -- exfalso. unfold acc' in Hk. unfold mem in Hk; simpl in Hk.
           now rewrite String.eqb_refl in Hk.
        -- now rewrite (Hpar eq_refl).
      * rewrite !find_val_cons_neq by exact Hne. apply Hv.
        unfold acc' in Hk. destruct (existsb _ _); [|exact Hk].
        now apply mem_cons_false in Hk as [_ Hk].
    + (* random *)
      destruct (existsb (fun p => mem p acc) ps) eqn:Ep.
      * (* a descendant: the expectation after its draw is one constant *)
        set (ds2 := rand_dens o (map (find_val v2) ps) (shape_size (ref_shape r))) in *.
        set (ds1 := rand_dens o (map (find_val v1) ps) (shape_size (ref_shape r))) in *.
        assert (Hl : length ds1 = length ds2)
          by (unfold ds1, ds2, rand_dens; now rewrite !map_length).
        set (x0 := repeat 0 (length ds2)).
        assert (Hx0 : length x0 = length ds2) by apply repeat_length.
        set (c := expect F (run_nodes se ns ((ref_name r, x0) :: v2) ((ref_name r, x0) :: d2))).
        assert (Hagree : forall (w1 w2 : env R) xs ys,
                   (forall k, mem k acc = false -> find_val w1 k = find_val w2 k) ->
                   forall k, mem k (ref_name r :: acc) = false ->
                   find_val ((ref_name r, xs) :: w1) k = find_val ((ref_name r, ys) :: w2) k).
        { intros w1 w2 xs ys Hw k Hk. apply mem_cons_false in Hk as [Hne Hk].
          rewrite !find_val_cons_neq by exact Hne. now apply Hw. }
        transitivity c; [|symmetry];
          apply expect_draw_list_const; try assumption; intros xs Hxs.
        -- apply (IH Hu (ref_name r :: acc)); [apply Hagree; exact Hv| | |exact HF].
           ++ apply (dnormal_draw_list_k _ _ HN1). exact Hxs.
           ++ apply (dnormal_draw_list_k _ _ HN2). exact Hx0.
        -- apply (IH Hu (ref_name r :: acc)); [apply Hagree; intros; reflexivity| | |exact HF].
           ++ apply (dnormal_draw_list_k _ _ HN2). exact Hxs.
           ++ apply (dnormal_draw_list_k _ _ HN2). exact Hx0.
      * (* not a descendant: the same density on both sides *)
        rewrite (Hpar eq_refl) in *.
        apply expect_draw_list_ext. intros xs Hxs.
        apply (IH Hu acc); [| | |exact HF].
        -- intros k Hk. destruct (String.eqb_spec k (ref_name r)) as [->|Hne].
           ++ now rewrite !find_val_cons_eq.
           ++ rewrite !find_val_cons_neq by exact Hne. now apply Hv.
        -- apply (dnormal_draw_list_k _ _ HN1). exact Hxs.
        -- apply (dnormal_draw_list_k _ _ HN2). exact Hxs.
Qed.

(** The gap of [z]'s multiplier, in expectation over the nodes [ns] after
    [z] (the graph's nodes are [pre ++ nz :: ns], [nz] named [z]), does not
    depend on [z]'s draw. *)
Lemma reach_from_app (l1 l2 : list (node R)) acc :
  reach_from (l1 ++ l2) acc = reach_from l2 (reach_from l1 acc).
Proof. revert acc; induction l1 as [|n l1 IH]; intros acc; simpl; [reflexivity|apply IH]. Qed.

Definition mult_gap (g : graph R) (bs : list (string * string)) (z : string) (vd : env R * env R)
    : R :=
  total_cost R_ops g (fst vd) - multiplier R_ops (Downstream bs) g (fst vd) z.

Theorem gap_expect_indep (se : senv) (g : graph R) (bs : list (string * string))
    (pre ns : list (node R)) (nz : node R) (v d1 d2 : env R) (x1 x2 : list R) :
  g_nodes g = pre ++ nz :: ns ->
  NoDup (map node_name ns) ->
  (forall b, lookup bs (node_name nz) = Some b -> mem b (reach g (node_name nz)) = false) ->
  dnormal (run_nodes se ns ((node_name nz, x1) :: v) d1) ->
  dnormal (run_nodes se ns ((node_name nz, x2) :: v) d2) ->
  expect (mult_gap g bs (node_name nz)) (run_nodes se ns ((node_name nz, x1) :: v) d1)
  = expect (mult_gap g bs (node_name nz)) (run_nodes se ns ((node_name nz, x2) :: v) d2).
Proof.
  intros Hg Hu Hb HN1 HN2. set (z := node_name nz) in *.
  set (acc0 := reach_from (pre ++ [nz]) [z]).
  assert (Hreach : reach g z = reach_from ns acc0).
  { unfold reach, acc0. rewrite Hg, <- reach_from_app, <- app_assoc. reflexivity. }
  assert (Hz : mem z acc0 = true).
  { apply reach_from_mono. unfold mem; simpl. now rewrite String.eqb_refl. }
  apply (expect_off_reach se _ ns Hu acc0); [|exact HN1|exact HN2|].
  - intros k Hk. assert (Hne : k <> z) by (intros ->; congruence).
    now rewrite !find_val_cons_neq by exact Hne.
  - intros a b Hab. unfold mult_gap. apply multiplier_gap_off_reach; [|exact Hb].
    rewrite Hreach. exact Hab.
Qed.

(** * A draw's score against what does not depend on the draw

    [expect_scal_l]: a constant factor leaves [expect] (for a function
    integrable at every draw).  [draw_score_const_zero]: at a Gaussian draw
    [x], the score times an inner expectation that does not depend on [x]
    (as [expect_off_reach] gives for the gap of the multiplier) integrates
    to zero: the step at one scalar draw of the missing theorem. *)

Lemma expect_scal_l {A : Type} (c : R) (F : A -> R) (D : dist A) :
  dintegrable F D -> expect (fun a => c * F a) D = c * expect F D.
Proof.
  induction D as [a|dens k IH]; simpl; [reflexivity|]. intros [Hi Hk].
  rewrite (Lint_ext _ (fun x => dens x * expect F (k x) * c)).
  - rewrite Lint_scal_r by exact Hi. ring.
  - intros x. rewrite IH by apply Hk. ring.
Qed.

Theorem draw_score_const_zero {A : Type} (m s dm ds c : R) (F : A -> R) (K : R -> dist A) :
  0 < s -> (forall x, expect F (K x) = c) ->
  Lint (fun x => gauss_pdf m s x * (gauss_score m s x dm ds * expect F (K x))) = 0.
Proof.
  intros Hs HK.
  rewrite (Lint_ext _ (fun x => gauss_pdf m s x * gauss_score m s x dm ds * c))
    by (intros x; rewrite HK; ring).
  rewrite Lint_scal_r by (apply gauss_score_integrable; exact Hs).
  rewrite gauss_score_mean_zero by exact Hs. ring.
Qed.

(** * The baseline is not reachable from its node

    A checked baseline [b] of [z] is a graph input and [z] a node
    ([check_baselines]); the names reachable from [z] are [z] and node
    names ([reach_from_sub]); inputs and nodes have distinct names
    ([wf_graph]).  So the hypothesis on the baseline of [gap_expect_indep]
    and [multiplier_gap_off_reach] holds for every checked estimator. *)

Lemma check_baselines_lookup (g : graph R) (bs : list (string * string)) (z b : string) :
  check_baselines g bs = CheckOk -> lookup bs z = Some b ->
  In z (map node_name (g_nodes g)) /\ In b (input_names g).
Proof.
  induction bs as [|[z' b'] bs IH]; simpl; [discriminate|].
  destruct (existsb (fun n => is_rand n && String.eqb (node_name n) z') (g_nodes g)) eqn:Ez;
    simpl; [|discriminate].
  destruct (existsb (fun r => String.eqb (ref_name r) b') (g_inputs g)) eqn:Eb;
    simpl; [|discriminate].
  destruct (find_shape (shape_env g) b'); [|discriminate].
  intros Hc. destruct (String.eqb_spec z z') as [->|Hne]; [|now apply IH].
  intros [= <-]. split.
  - apply existsb_exists in Ez as [n [Hn Hz]]. apply andb_true_iff in Hz as [_ Hz].
    apply String.eqb_eq in Hz. subst z'. now apply in_map.
  - apply existsb_exists in Eb as [r [Hr Hb]]. apply String.eqb_eq in Hb. subst b'.
    unfold input_names. now apply in_map.
Qed.

Theorem baseline_off_reach (g : graph R) (bs : list (string * string)) (z b : string) :
  check_graph g = CheckOk -> check_baselines g bs = CheckOk -> lookup bs z = Some b ->
  mem b (reach g z) = false.
Proof.
  intros Hchk Hbs Hl.
  pose proof (wf_graph_nodup g (check_graph_sound g Hchk)) as Hnd.
  rewrite shape_env_names in Hnd.
  destruct (check_baselines_lookup g bs z b Hbs Hl) as [Hz Hb].
  assert (Hbn : ~ In b (map node_name (g_nodes g))).
  { intros Hin. apply in_split in Hb as (l1 & l2 & Hb). rewrite Hb, <- app_assoc in Hnd.
    simpl in Hnd. apply NoDup_remove_2 in Hnd. apply Hnd.
    apply in_or_app. right. apply in_or_app. now right. }
  destruct (mem b (reach g z)) eqn:E; [|reflexivity]. exfalso.
  apply reach_from_sub in E as [E|E]; [|exact (Hbn E)].
  unfold mem in E; simpl in E. rewrite orb_false_r in E. apply String.eqb_eq in E. subst b.
  exact (Hbn Hz).
Qed.

(** * The unrolled estimator with per-node multipliers

    At every final point of the run from [inputs], entry [j] of [p] of the
    estimate [est_grads est] is the pathwise derivative of the total cost
    plus the sum over the random nodes of the multiplier times the score:
    Unbiased.v's [leaf_estimator_w] with [est_grads_eq_naive], the step (1)
    of the header at each draw. *)
Lemma est_leaf_estimator (Hops : forall o : dop R, dop_correct o) (g : graph R) (inputs : env R)
    (p : string) (j : nat) (a b : R) :
  check_graph g = CheckOk -> inputs_fit g inputs -> In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat -> reachable_domains g inputs p j a b ->
  forall est : estimator,
  a < nth j (find_val inputs p) 0 < b ->
  dist_all (fun vd =>
      Derive (fun t => total_cost R_ops g
                (forward_nodes R_ops (shape_env g) (snd vd) (g_nodes g) (input_curve inputs p j t)))
        (nth j (find_val inputs p) 0)
      + score_sum_w (shape_env g) (snd vd) (multiplier R_ops est g (fst vd)) (g_nodes g)
          (input_curve inputs p j) (nth j (find_val inputs p) 0)
      = nth j (find_val (est_grads R_ops est g (forward R_ops g inputs (snd vd))) p) 0)
    (graph_dist g inputs).
Proof.
  intros Hchk Hfit Hp Hj Hdom est Hab.
  eapply dist_all_impl;
    [|exact (leaf_estimator_w Hops g inputs p j a b Hchk Hfit Hp Hj Hdom (multiplier R_ops est g) Hab)].
  intros [v dr] [Hv Hid]. simpl in Hv, Hid |- *. rewrite <- Hv, Hid.
  rewrite (est_grads_eq_naive R_ops est g v (wf_params_refs g (check_graph_sound g Hchk))).
  unfold naive_est_grads, find_val.
  now rewrite (lookup_map_key (fun q => naive_adj_est R_ops g v (multiplier R_ops est g v) (g_nodes g) q))
    by exact Hp.
Qed.

(** * At every draw: backprop minus the estimate is the gaps times the scores *)

Lemma score_sum_w_minus (se : senv) (d : env R) (m1 m2 : string -> R) (ns : list (node R)) :
  forall (E : R -> env R) (t0 : R),
  score_sum_w se d m1 ns E t0 - score_sum_w se d m2 ns E t0
  = score_sum_w se d (fun z => m1 z - m2 z) ns E t0.
Proof.
  induction ns as [|n ns IH]; intros E t0; simpl; [ring|].
  rewrite <- IH. ring.
Qed.

(** Entry [j] of [p]: [backprop] minus the downstream estimate is the sum
    over the random nodes [z] of [z]'s multiplier gap ([mult_gap]: the
    costs not reachable from [z] plus [z]'s baseline, [multiplier_gap])
    times [z]'s score, at every final point of the run. *)
Theorem backprop_minus_est (g : graph R) (inputs : env R) (bs : list (string * string))
    (p : string) (j : nat) (a b : R) :
  check_graph g = CheckOk -> inputs_fit g inputs -> In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  a < nth j (find_val inputs p) 0 < b ->
  reachable_domains g inputs p j a b ->
  dist_all (fun vd =>
      nth j (find_val (backprop R_ops g inputs (snd vd)) p) 0
      - nth j (find_val (est_grads R_ops (Downstream bs) g (forward R_ops g inputs (snd vd))) p) 0
      = score_sum_w (shape_env g) (snd vd) (fun z => mult_gap g bs z vd) (g_nodes g)
          (input_curve inputs p j) (nth j (find_val inputs p) 0))
    (graph_dist g inputs).
Proof.
  intros Hchk Hfit Hp Hj Hab Hdom.
  eapply dist_all_impl; [|apply dist_all_and;
    [exact (backprop_leaf_estimator all_dops_correct g inputs p j a b Hchk Hfit Hp Hj Hdom Hab)
    |exact (est_leaf_estimator all_dops_correct g inputs p j a b Hchk Hfit Hp Hj Hdom
              (Downstream bs) Hab)]].
  intros vd [H1 H2]. rewrite <- H1, <- H2. unfold unrolled_est, mult_gap.
  rewrite <- score_sum_w_minus, score_sum_w_const. ring.
Qed.

(** * The scores of a node's entries, drawn in turn, against a constant

    A random node's entries are drawn one after the other ([draw_list]);
    its score is the sum of the entries' scores.  If, after the draws [xs],
    the inner expectation is [c] times (the scores so far plus those of
    [xs]), and each entry's score has mean zero against its density of mass
    1, the expectation over the draws is [c] times the scores so far. *)

Fixpoint score_acc (fs : list (R -> R)) (xs : list R) (s : R) : R :=
  match fs, xs with
  | f :: fs', x :: xs' => score_acc fs' xs' (s + f x)
  | _, _ => s
  end.

Lemma draw_list_score_const {A : Type} (G : A -> R) (c : R) (ds fs : list (R -> R))
    (K : list R -> dist A) :
  length fs = length ds ->
  (forall i, (i < length ds)%nat ->
     Lintegrable (nth i ds (fun _ => 0)) /\ Lint (nth i ds (fun _ => 0)) = 1 /\
     Lintegrable (fun x => nth i ds (fun _ => 0) x * nth i fs (fun _ => 0) x) /\
     Lint (fun x => nth i ds (fun _ => 0) x * nth i fs (fun _ => 0) x) = 0) ->
  forall s, (forall xs, length xs = length ds -> expect G (K xs) = c * score_acc fs xs s) ->
  expect G (draw_list ds K) = c * s.
Proof.
  revert fs K. induction ds as [|d ds IH]; intros [|f fs] K Hl Hi s HK; simpl in *;
    try discriminate.
  - rewrite (HK [] eq_refl). reflexivity.
  - destruct (Hi 0%nat ltac:(lia)) as (Id & Md & Idf & Mdf). simpl in Id, Md, Idf, Mdf.
    rewrite (Lint_ext _ (fun x => (d x * (c * s)) + c * (d x * f x))).
    + rewrite (Lint_plus_scal (fun x => d x * (c * s)) (fun x => d x * f x) c
                 (Lintegrable_scal_r _ _ Id) Idf).
      rewrite Lint_scal_r, Md, Mdf by exact Id. ring.
    + intros x. rewrite (IH fs (fun xs => K (x :: xs)) ltac:(lia)
                           (fun i Hil => Hi (S i) ltac:(lia)) (s + f x)).
      * ring.
      * intros xs Hxs. apply (HK (x :: xs)). simpl. lia.
Qed.

(** [gap_expect_indep] for a checked graph and checked baselines. *)
Corollary gap_expect_indep_checked (g : graph R) (bs : list (string * string))
    (pre ns : list (node R)) (nz : node R) (v d1 d2 : env R) (x1 x2 : list R) :
  check_graph g = CheckOk -> check_baselines g bs = CheckOk ->
  g_nodes g = pre ++ nz :: ns ->
  dnormal (run_nodes (shape_env g) ns ((node_name nz, x1) :: v) d1) ->
  dnormal (run_nodes (shape_env g) ns ((node_name nz, x2) :: v) d2) ->
  expect (mult_gap g bs (node_name nz)) (run_nodes (shape_env g) ns ((node_name nz, x1) :: v) d1)
  = expect (mult_gap g bs (node_name nz)) (run_nodes (shape_env g) ns ((node_name nz, x2) :: v) d2).
Proof.
  intros Hchk Hbs Hg. apply (gap_expect_indep _ g bs pre ns nz v d1 d2 x1 x2 Hg).
  - pose proof (wf_graph_nodup g (check_graph_sound g Hchk)) as Hnd.
    rewrite shape_env_names, Hg, map_app in Hnd. simpl in Hnd.
    apply NoDup_app_r in Hnd. apply NoDup_app_r in Hnd. now inversion Hnd.
  - intros b' Hb'. exact (baseline_off_reach g bs _ b' Hchk Hbs Hb').
Qed.

(** * The sampled gradient is integrable under the unbiasedness preconditions

    [backprop_unbiased] (Unbiased.v) equates the derivative of the expected
    cost with the expectation of entry [j] of [p] of [backprop].  Averaging
    such estimates over independent shards (ShardMean.v) needs more: the
    sampled gradient entry is [dintegrable] (RunFacts.v) under the graph's
    distribution, i.e. at every draw, whatever the earlier draws, the density
    times the expected gradient of the rest of the run is Lebesgue
    integrable.  This file proves it from the same preconditions
    ([sampled_grad_dintegrable]); no new hypothesis.

    - [uintegrable P t s], for a family [P] (StochasticPre.v): at every
      draw, the integrand of [uest P t s] (FamilyDerive.v, the expectation
      of the unrolled estimator with the scores [s] accumulated so far) is
      integrable.  [uintegrable_of_pre]: under [smooth], [gintegrable] and
      [dominated] it holds at every [t] of the interval, for every [s]: the
      integrand is the derivative of [dens * E[F | x]] (integrable by the
      Leibniz rule, [leibniz_Lint]) plus [s] times [dens * E[F | x]].
    - [dintegrable_pnodes]: for the graph's family, [uintegrable] gives the
      integrability of the unrolled estimator ([unrolled_est], Unbiased.v)
      under the run at [t0], one draw at a time as in [uest_pnodes].
    - [sampled_grad_dintegrable]: at every final point the unrolled
      estimator is the sampled gradient entry ([backprop_leaf_estimator]). *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Lia.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed GraphFacts Backprop.
From Certigrad Require Import WellFormedSound OpsCorrect.
From Certigrad Require Import Stochastic StochasticPre FamilyDerive RunFacts Unbiased.
From Certigrad Require Import DistRel DistLinear.
Import ListNotations.
Local Open Scope R_scope.

(** * The unrolled estimator's integrands, for any family *)

Section Family.
Context {A : Type} (F : A -> R) (a b : R).

Fixpoint uintegrable (P : pdist A) (t s : R) : Prop :=
  match P with
  | PRet _ => True
  | PDraw dens k =>
      Lintegrable (fun x => dens t x * uest F (k x) t (s + Derive (fun u => ln (dens u x)) t)) /\
      forall x, uintegrable (k x) t (s + Derive (fun u => ln (dens u x)) t)
  end.

Theorem uintegrable_of_pre (P : pdist A) :
  smooth F a b P -> gintegrable F a b P -> dominated F a b P ->
  forall t, a < t < b -> forall s, uintegrable P t s.
Proof.
  induction P as [h|dens k IH]; simpl; intros Hs Hi Hd t Ht s; [exact I|].
  destruct Hs as [Hdens Hs], Hi as [Hint Hi], Hd as [[G [HG HGb]] Hd].
  split; [|intros x; apply IH; auto].
  set (f := fun u x => dens u x * pval F (k x) u).
  set (df := fun u x => dens u x *
               (est F (k x) u + Derive (fun v => ln (dens v x)) u * pval F (k x) u)).
  assert (Hder : forall x u, a < u < b -> is_derive (fun v => f v x) u (df u x)).
  { intros x u Hu. destruct (Hdens x u Hu) as [Hpos Hex].
    apply draw_derive; [exact Hpos|exact Hex|].
    apply (pval_derive F a b (k x) (Hs x) (Hi x) (Hd x) u Hu). }
  destruct (leibniz_Lint f df G a b Hint Hder HG) with (t := t) as [_ HI]; [|exact Ht|].
  { intros x u Hu. rewrite <- (is_derive_unique _ _ _ (Hder x u Hu)). apply HGb, Hu. }
  refine (proj1 (Lintegrable_ext (fun x => df t x + s * f t x) _ _) _).
  - intros x. unfold df, f.
    destruct (pval_derive F a b (k x) (Hs x) (Hi x) (Hd x) t Ht) as [_ ->]. ring.
  - apply Lintegrable_plus_scal; [exact HI|apply Hint, Ht].
Qed.

End Family.

(** * The graph's unrolled estimator *)

Lemma dintegrable_pdraw_list {X : Type} (F H : X -> R) (ds : list (R -> R -> R))
    (K : list R -> pdist X) (K' : list R -> dist X) (t s : R) :
  (forall xs, length xs = length ds -> uest F (K xs) t (acc_score ds xs t s) = expect H (K' xs)) ->
  (forall xs, length xs = length ds -> uintegrable F (K xs) t (acc_score ds xs t s) ->
     dintegrable H (K' xs)) ->
  uintegrable F (pdraw_list ds K) t s -> dintegrable H (draw_list (map (fun d => d t) ds) K').
Proof.
  revert K K' s; induction ds as [|d ds IH]; simpl; intros K K' s HE HI Hu.
  - apply HI; [reflexivity|exact Hu].
  - destruct Hu as [Hl Hk]. split.
    + refine (proj1 (Lintegrable_ext _ _ _) Hl). intros x. f_equal.
      apply uest_pdraw_list. intros xs Hxs. apply (HE (x :: xs)). simpl. lia.
    + intros x.
      apply (IH (fun xs => K (x :: xs)) (fun xs => K' (x :: xs))
                (s + Derive (fun u => ln (d u x)) t)); [| |apply Hk].
      * intros xs Hxs. apply (HE (x :: xs)). simpl. lia.
      * intros xs Hxs. apply (HI (x :: xs)). simpl. lia.
Qed.

Lemma dintegrable_pnodes (g : graph R) (t0 : R) (se : senv) (ns : list (node R)) :
  forall (valsC : R -> env R) (draws : env R) (s : R),
  NoDup (map node_name ns) ->
  uintegrable (cost_of g) (pnodes se ns valsC draws) t0 s ->
  dintegrable (unrolled_est g se ns valsC t0 s) (run_nodes se ns (valsC t0) draws).
Proof.
  induction ns as [|n ns IH]; intros valsC draws s Hnd Hu; [exact I|].
  inversion Hnd as [|? ? Hn Hnd']; subst.
  destruct n as [r o ps|r o ps].
  - simpl in Hu. refine (dintegrable_ext_all _ _ _ _ (IH _ draws s Hnd' Hu)).
    apply dist_all_true. intros vd. unfold unrolled_est. simpl. unfold node_name. simpl. ring.
  - set (ds := map (fun k t => entry_dens o (map (find_val (valsC t)) ps) k)
                   (seq 0 (shape_size (ref_shape r)))).
    set (K' := fun x => run_nodes se ns ((ref_name r, x) :: valsC t0) ((ref_name r, x) :: draws)).
    replace (run_nodes se (NRand r o ps :: ns) (valsC t0) draws)
      with (draw_list (map (fun d => d t0) ds) K')
      by (simpl; unfold ds, rand_dens; rewrite map_map; reflexivity).
    change (pnodes se (NRand r o ps :: ns) valsC draws)
      with (pdraw_list ds (fun x => pnodes se ns (fun t => (ref_name r, x) :: valsC t)
                                           ((ref_name r, x) :: draws))) in Hu.
    apply (dintegrable_pdraw_list (cost_of g) _ ds
             (fun x => pnodes se ns (fun t => (ref_name r, x) :: valsC t) ((ref_name r, x) :: draws))
             K' t0 s); [| |exact Hu].
    + intros xs Hxs. unfold ds in Hxs. rewrite map_length, seq_length in Hxs.
      rewrite uest_pnodes by exact Hnd'. apply expect_ext_all, unrolled_est_rand; assumption.
    + intros xs Hxs Hxu. unfold ds in Hxs. rewrite map_length, seq_length in Hxs.
      exact (dintegrable_ext_all _ _ _ (unrolled_est_rand g t0 se r o ps ns valsC draws s xs Hn Hxs)
               (IH _ _ _ Hnd' Hxu)).
Qed.

(** * The sampled gradient entry *)

(** Under the preconditions of [backprop_unbiased], entry [j] of [p] of
    [backprop], with the draws of the run, is integrable under the graph's
    distribution. *)
Definition sampled_grad_dintegrable_statement : Prop :=
  forall (g : graph R) (inputs : env R) (p : string) (j : nat) (a b : R),
  check_graph g = CheckOk ->
  inputs_fit g inputs ->
  In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  a < nth j (find_val inputs p) 0 < b ->
  reachable_domains g inputs p j a b ->
  is_gintegrable g inputs p j a b ->
  can_differentiate_under_integrals g inputs p j a b ->
  dintegrable (fun vd => nth j (find_val (backprop R_ops g inputs (snd vd)) p) 0)
    (graph_dist g inputs).

Theorem sampled_grad_dintegrable : sampled_grad_dintegrable_statement.
Proof.
  intros g inputs p j a b Hchk Hfit Hp Hj Hab Hdom Hint Hdomin.
  pose proof (check_graph_sound g Hchk) as Hwf.
  pose proof (wf_graph_nodup g Hwf) as Hndg.
  rewrite shape_env_names in Hndg. apply NoDup_app_r in Hndg.
  pose proof (uintegrable_of_pre (cost_of g) a b (pgraph g inputs p j)
                (smooth_pgraph all_dops_correct g inputs p j a b Hchk Hfit Hp Hj Hdom)
                Hint Hdomin _ Hab 0) as Hu.
  pose proof (dintegrable_pnodes g _ (shape_env g) (g_nodes g) (input_curve inputs p j) [] 0
                Hndg Hu) as Hd.
  rewrite input_curve_at in Hd.
  exact (dintegrable_ext_all _ _ _
           (backprop_leaf_estimator all_dops_correct g inputs p j a b Hchk Hfit Hp Hj Hdom Hab) Hd).
Qed.

(** * A proved-sound checker of the unbiasedness preconditions

    [certify g boxes] decides, for a user's graph [g] and a box for each
    data input (a closed interval with rational end points, either end
    possibly infinite; the parameters are unbounded), whether the sampled
    gradient of [g] is provably unbiased.  It answers [Certified], or
    [Rejected node reason] at the first node where a precondition cannot be
    established.  Its steps ([certify_graph]):

    1. every box names a data input (not a parameter);
    2. [check_graph g] (well-formedness);
    3. domains: an abstract walk ([dom_walk]) gives every reference a sign
       (UnbiasedExamples.v: any / positive / in (0, 1)) and an interval
       (Intervals.v), starting from the boxes; each node's operator domain
       (log, sqrt: x > 0; div: y <> 0; mvn, mvn_kl, mvn_empirical_kl:
       sigma > 0; bernoulli_neglogpdf: 0 < p < 1) must follow from its
       parents' abstract values;
    4. each [mvn] node [z] (mean and sigma computed by the graph) is
       reparameterized (Transform.v: [z_eps ~ mvn_std], [z = sigma * z_eps + mu]),
       and step 3 is repeated on the result;
    5. growth: on the final graph (noise [mvn_std] only), the growth walk
       [lin_walk] of GrowthLinCheck.v must pass (GrowthCheck.v's walk with
       flags for values linear in the draws, of which [exp] is allowed),
       started from GrowthBoxes.v's [box_tags] (inputs bounded; a data
       input whose box has a positive lower end bounded below by a
       positive constant).

    [certify_pre]: when [certify_graph g boxes = inl g'], for all inputs
    of the declared sizes whose data inputs lie in the boxes, every
    parameter [p], entry [j] and interval [(a, b)]: [g'] passes the checker
    and satisfies [reachable_domains], [is_gintegrable] and
    [can_differentiate_under_integrals] (the preconditions of
    [backprop_unbiased]), and [g'] and [g] have the same expected cost at
    every value of the entry.  [g' = g] when [g] has no [mvn] node.
    [certify_sound] ([certify_sound_statement]): the conclusion, the
    derivative of [g]'s expected cost is the expected gradient that
    [backprop] computes on [g'] ([certified_graph g boxes]). *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals QArith Qreals String List Arith Bool Lia Lra.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed WellFormedSound GraphFacts ListSums.
From Certigrad Require Import Stochastic StochasticPre Unbiased UnbiasedExamples RunFacts Transform.
From Certigrad Require Import DistRel Reparameterize GrowthDefs GrowthOps GrowthCheck Intervals GrowthBoxes.
From Certigrad Require Import GrowthLin GrowthLinCheck.
Import ListNotations.

Local Open Scope R_scope.

(** The version of the checker, reported with every certificate. *)
Definition certify_version : string := "certify-1".

(** The theorem a certificate rests on (below, restated in theories/headlines/). *)
Definition certify_theorem : string := "Certigrad.stochastic.Certify.certify_sound".

(** * Abstract values: a sign and an interval *)

Definition aval : Type := (sign * itv)%type.

(** The sign an interval guarantees. *)
Definition itv_sign (i : itv) : sign :=
  match i with
  | (Some l, Some h) => if qpos l && negb (Qle_bool 1 h) then SUnit else if qpos l then SPos else SAny
  | (Some l, None) => if qpos l then SPos else SAny
  | _ => SAny
  end.

Definition meet_sign (s1 s2 : sign) : sign :=
  match s1, s2 with
  | SUnit, _ | _, SUnit => SUnit
  | SPos, _ | _, SPos => SPos
  | SAny, SAny => SAny
  end.

Definition av_sign (v : aval) : sign := meet_sign (fst v) (itv_sign (snd v)).

Definition av_holds (v : aval) (x : list R) : Prop := sign_holds (fst v) x /\ itv_holds (snd v) x.

(** Every entry is [>= 0]. *)
Definition av_nonneg (v : aval) : bool :=
  match av_sign v with
  | SAny => match fst (snd v) with Some l => Qle_bool 0 l | None => false end
  | _ => true
  end.

Definition av_pos (v : aval) : bool := match av_sign v with SAny => false | _ => true end.

(** A sum of a positive and a nonnegative value is positive (e.g.
    [softplus(u) + c], [c >= 0]), which neither the sign table nor the
    intervals see. *)
Definition add_sign {T : Type} (o : @dop T) (vs : list aval) : sign :=
  match o, vs with
  | Add, [v1; v2] => if (av_pos v1 && av_nonneg v2) || (av_nonneg v1 && av_pos v2) then SPos else SAny
  | _, _ => SAny
  end.

(** * The domain walk *)

Section DomWalk.
Context {T : Type} (base : string -> aval).

Definition find_av (ae : list (string * aval)) (k : string) : aval :=
  match lookup ae k with Some v => v | None => base k end.

Definition node_aval (ae : list (string * aval)) (n : node T) : aval :=
  match n with
  | NDet _ o ps =>
      let vs := map (find_av ae) ps in
      (meet_sign (dop_sign o (map av_sign vs)) (add_sign o vs), dop_itv o (map snd vs))
  | NRand _ _ _ => (SAny, top)
  end.

Definition dom_reason (o : @op T) (ps : list string) : string :=
  match op_domain o with
  | Some (k, _) => op_name o ++ ": cannot establish " ++ op_domain_desc o ++ " for parent '"
                     ++ nth k ps "" ++ "' on the boxes"
  | None => op_name o
  end.

Fixpoint dom_walk (ae : list (string * aval)) (ns : list (node T)) : option (string * string) :=
  match ns with
  | [] => None
  | n :: ns' =>
      if op_ok_by_sign (node_op n) (map (fun k => av_sign (find_av ae k)) (node_parents n))
      then dom_walk ((node_name n, node_aval ae n) :: ae) ns'
      else Some (node_name n, dom_reason (node_op n) (node_parents n))
  end.

End DomWalk.

(** * The checker *)

(** The abstract value of a name before any node: its box for a data
    input, unbounded otherwise. *)
Definition input_base {T : Type} (g : graph T) (boxes : list (string * itv)) (k : string) : aval :=
  if mem k (input_names g) && negb (mem k (g_params g)) then (SAny, box_of boxes k) else (SAny, top).

Fixpoint first_mvn {T : Type} (ns : list (node T)) : option string :=
  match ns with
  | [] => None
  | NRand r Mvn _ :: _ => Some (ref_name r)
  | _ :: ns' => first_mvn ns'
  end.

Definition eps_name (z : string) : string := z ++ "_eps".

Section Checker.
Context {T : Type}.

Fixpoint certify_loop (fuel : nat) (base : string -> aval) (tags0 : tag_env) (g : graph T)
    : graph T + (string * string) :=
  match dom_walk base [] (g_nodes g) with
  | Some e => inr e
  | None =>
      match first_mvn (g_nodes g) with
      | None =>
          match lin_walk tags0 [] (g_nodes g) with
          | Some e => inr e
          | None => inl g
          end
      | Some z =>
          match fuel with
          | O => inr (z, "too many mvn nodes")
          | S f =>
              match reparameterize z (eps_name z) g with
              | Ok g2 => certify_loop f base tags0 g2
              | Err m => inr (z, m)
              end
          end
      end
  end.

(** The first box that does not name a data input. *)
Definition box_error (g : graph T) (boxes : list (string * itv)) : option (string * string) :=
  match find (fun kb => negb (mem (fst kb) (input_names g)) || mem (fst kb) (g_params g)) boxes with
  | Some (k, _) => Some (k, "a box is given for a name that is not a data input (parameters are unbounded)")
  | None => None
  end.

(** [inl g']: certified, [g'] the reparameterized graph; [inr (node, reason)]. *)
Definition certify_graph (g : graph T) (boxes : list (string * itv)) : graph T + (string * string) :=
  match box_error g boxes with
  | Some e => inr e
  | None =>
      match check_graph g with
      | CheckErr n m => inr (n, m)
      | CheckOk => certify_loop (length (g_nodes g)) (input_base g boxes) (box_tags g boxes) g
      end
  end.

Inductive verdict : Type := Certified | Rejected (node reason : string).

Definition certify (g : graph T) (boxes : list (string * itv)) : verdict :=
  match certify_graph g boxes with inl _ => Certified | inr (n, m) => Rejected n m end.

Definition certified_graph (g : graph T) (boxes : list (string * itv)) : graph T :=
  match certify_graph g boxes with inl g' => g' | inr _ => g end.

(** For proofs by computation when [check_graph] needs symbolic sizes. *)
Lemma certify_graph_parts (g g' : graph T) (boxes : list (string * itv)) :
  box_error g boxes = None -> check_graph g = CheckOk ->
  certify_loop (length (g_nodes g)) (input_base g boxes) (box_tags g boxes) g = inl g' ->
  certify_graph g boxes = inl g'.
Proof. intros H1 H2 H3. unfold certify_graph. rewrite H1, H2. exact H3. Qed.

End Checker.

(** * Soundness of the domain walk *)

Lemma av_sign_sound (v : aval) (x : list R) : av_holds v x -> sign_holds (av_sign v) x.
Proof.
  destruct v as [s [[l|] [h|]]]; intros [Hs Hi]; unfold av_sign; simpl;
    unfold itv_holds, in_itv in Hi; simpl in Hi.
  all: try (destruct s; exact Hs).
  - destruct (qpos l) eqn:El; [|destruct s; exact Hs].
    pose proof (qpos_pos l El) as Hl.
    assert (Hpos : Forall (fun y => 0 < y) x)
      by (eapply Forall_impl; [|exact Hi]; intros y [Hy _]; simpl in Hy; lra).
    destruct (Qle_bool 1 h) eqn:Eh; simpl.
    + destruct s; simpl; [exact Hpos|exact Hpos|exact Hs].
    + assert (Hh : Q2R h < 1).
      { destruct (Qlt_le_dec h 1) as [L|L]; [rewrite <- Q2R_1; apply Qlt_Rlt, L|].
        apply Qle_bool_iff in L. congruence. }
      assert (Hu : Forall (fun y => 0 < y < 1) x)
        by (eapply Forall_impl; [|exact Hi]; intros y [Hy1 Hy2]; simpl in *; lra).
      destruct s; exact Hu.
  - destruct (qpos l) eqn:El; simpl; [|destruct s; exact Hs].
    pose proof (qpos_pos l El) as Hl.
    assert (Hpos : Forall (fun y => 0 < y) x)
      by (eapply Forall_impl; [|exact Hi]; intros y [Hy _]; simpl in Hy; lra).
    destruct s; simpl; [exact Hpos|exact Hpos|exact Hs].
Qed.

Lemma meet_sign_sound (s1 s2 : sign) (x : list R) :
  sign_holds s1 x -> sign_holds s2 x -> sign_holds (meet_sign s1 s2) x.
Proof. destruct s1, s2; simpl; auto. Qed.

Lemma av_pos_sound (v : aval) (x : list R) :
  av_holds v x -> av_pos v = true -> Forall (fun y => 0 < y) x.
Proof.
  intros H Hp. apply (pos_of_sign (av_sign v)); [|apply av_sign_sound, H].
  unfold av_pos in Hp. destruct (av_sign v); auto.
Qed.

Lemma av_nonneg_sound (v : aval) (x : list R) :
  av_holds v x -> av_nonneg v = true -> Forall (fun y => 0 <= y) x.
Proof.
  intros H Hn. unfold av_nonneg in Hn.
  destruct (av_sign v) eqn:Es.
  - destruct v as [s [[l|] h]]; simpl in Hn; [|discriminate].
    apply Qle_bool_iff, Qle_Rle in Hn. rewrite Q2R_0 in Hn.
    destruct H as [_ Hi]. eapply Forall_impl; [|exact Hi]. intros y [Hy _]. simpl in Hy. lra.
  - eapply Forall_impl; [|apply (av_pos_sound v x H)]; [intros; lra|unfold av_pos; rewrite Es; reflexivity].
  - eapply Forall_impl; [|apply (av_pos_sound v x H)]; [intros; lra|unfold av_pos; rewrite Es; reflexivity].
Qed.

Lemma add_sign_sound (o : dop R) (shs : list shape) (xs : list (list R)) (vs : list aval) :
  length vs = length xs -> (forall i, av_holds (nth i vs (SAny, top)) (nth i xs [])) ->
  sign_holds (add_sign o vs) (dop_forward R_ops o shs xs).
Proof.
  intros Hl H. destruct o; simpl; try exact I.
  destruct vs as [|v1 [|v2 [|v3 vs]]]; simpl; try exact I.
  destruct xs as [|x1 [|x2 [|x3 xs]]]; simpl in Hl; try discriminate.
  pose proof (H 0%nat) as H1. pose proof (H 1%nat) as H2. simpl in H1, H2.
  destruct (av_pos v1 && av_nonneg v2) eqn:E1; simpl.
  - apply andb_true_iff in E1 as [P N].
    apply (Forall_map2_R _ _ _ _ _ _ (av_pos_sound _ _ H1 P) (av_nonneg_sound _ _ H2 N)).
    intros; simpl; lra.
  - destruct (av_nonneg v1 && av_pos v2) eqn:E2; simpl; [|exact I].
    apply andb_true_iff in E2 as [N P].
    apply (Forall_map2_R _ _ _ _ _ _ (av_nonneg_sound _ _ H1 N) (av_pos_sound _ _ H2 P)).
    intros; simpl; lra.
Qed.

Lemma find_av_cons (base : string -> aval) (ae : list (string * aval)) (k r : string) (v : aval) :
  find_av base ((k, v) :: ae) r = if String.eqb r k then v else find_av base ae r.
Proof. unfold find_av. simpl. destruct (String.eqb r k); reflexivity. Qed.

Lemma avs_of_parents (base : string -> aval) (ae : list (string * aval)) (V : env R)
    (ps : list string) (P : aval -> list R -> Prop) (d : aval) :
  P d [] -> (forall r, P (find_av base ae r) (find_val V r)) ->
  forall i, P (nth i (map (find_av base ae) ps) d) (nth i (map (find_val V) ps) []).
Proof.
  intros Hd H i. destruct (lt_dec i (length ps)) as [Hi|Hi].
  - rewrite (nth_map_in _ _ ps i d ""%string) by exact Hi.
    rewrite (nth_map_in _ _ ps i [] ""%string) by exact Hi. apply H.
  - rewrite !nth_overflow by (rewrite map_length; lia). exact Hd.
Qed.

Lemma node_aval_sound (base : string -> aval) (ae : list (string * aval)) (V : env R)
    (se : senv) (r : reference) (o : dop R) (ps : list string) :
  (forall k, av_holds (find_av base ae k) (find_val V k)) ->
  av_holds (node_aval base ae (NDet r o ps)) (dop_forward R_ops o (parent_shapes se ps) (map (find_val V) ps)).
Proof.
  intros H. simpl. split.
  - apply meet_sign_sound; [|apply add_sign_sound; [rewrite !map_length; reflexivity|]].
    2:{ intros i. destruct (lt_dec i (length ps)) as [Hi|Hi].
        - rewrite (nth_map_in _ _ ps i (SAny, top) ""%string) by exact Hi.
          rewrite (nth_map_in _ _ ps i [] ""%string) by exact Hi. apply H.
        - rewrite !nth_overflow by (rewrite map_length; lia). split; [exact I|constructor]. }
    apply dop_sign_sound. intros i. rewrite map_map.
    destruct (lt_dec i (length ps)) as [Hi|Hi].
    + rewrite (nth_map_in _ _ ps i SAny ""%string) by exact Hi.
      rewrite (nth_map_in _ _ ps i [] ""%string) by exact Hi. apply av_sign_sound, H.
    + rewrite !nth_overflow by (rewrite map_length; lia). exact I.
  - apply dop_itv_sound. intros i. rewrite map_map.
    destruct (lt_dec i (length ps)) as [Hi|Hi].
    + rewrite (nth_map_in _ _ ps i top ""%string) by exact Hi.
      rewrite (nth_map_in _ _ ps i [] ""%string) by exact Hi. apply H.
    + rewrite !nth_overflow by (rewrite map_length; lia). constructor.
Qed.

Lemma dom_walk_sound (base : string -> aval) (se : senv) (a b : R) (ns : list (node R)) :
  forall (ae : list (string * aval)) (valsC : R -> env R),
  (forall r t, av_holds (find_av base ae r) (find_val (valsC t) r)) ->
  dom_walk base ae ns = None -> domains_on se a b ns valsC.
Proof.
  induction ns as [|n ns IH]; intros ae valsC Hag Hchk; simpl; [exact I|].
  simpl in Hchk.
  destruct (op_ok_by_sign (node_op n) (map (fun k => av_sign (find_av base ae k)) (node_parents n)))
    eqn:Hok; [|discriminate].
  split.
  - intros t _. apply (op_ok_sound _ (map (fun k => av_sign (find_av base ae k)) (node_parents n)));
      [|exact Hok].
    intros i. destruct (lt_dec i (length (node_parents n))) as [Hi|Hi].
    + rewrite (nth_map_in _ _ _ i SAny ""%string) by exact Hi.
      rewrite (nth_map_in _ _ _ i [] ""%string) by exact Hi. apply av_sign_sound, Hag.
    + rewrite !nth_overflow by (rewrite map_length; lia). exact I.
  - destruct n as [r o ps|r o ps]; simpl in *.
    + apply (IH ((ref_name r, node_aval base ae (NDet r o ps)) :: ae)); [|exact Hchk].
      intros k t. rewrite find_av_cons, UnbiasedExamples.find_val_cons.
      destruct (String.eqb k (ref_name r)); [|apply Hag].
      apply node_aval_sound. intros k'. apply Hag.
    + intros x _. apply (IH ((ref_name r, (SAny, top)) :: ae)); [|exact Hchk].
      intros k t. rewrite find_av_cons, UnbiasedExamples.find_val_cons.
      destruct (String.eqb k (ref_name r)); [split; [exact I|apply top_holds]|apply Hag].
Qed.

(** * The boxes *)

Lemma input_base_sound (g : graph R) (boxes : list (string * itv)) (inputs : env R)
    (p : string) (j : nat) :
  in_boxes g boxes inputs -> In p (g_params g) ->
  forall k t, av_holds (input_base g boxes k) (find_val (input_curve inputs p j t) k).
Proof.
  intros Hb Hp k t. unfold input_base.
  destruct (mem k (input_names g)) eqn:Ei, (mem k (g_params g)) eqn:Ep; simpl;
    try (split; [exact I|apply top_holds]).
  split; [exact I|].
  apply mem_true in Ei. apply mem_false in Ep.
  unfold input_curve. rewrite set_input_entry_set_entry, find_val_set_entry.
  destruct (String.eqb_spec p k) as [<-|_]; [contradiction|].
  apply Hb; assumption.
Qed.

(** * Soundness of the loop *)

Lemma reparameterize_same {T : Type} (z eps : string) (g g' : graph T) :
  reparameterize z eps g = Ok g' ->
  g_inputs g' = g_inputs g /\ g_params g' = g_params g /\ g_costs g' = g_costs g.
Proof.
  intros H. destruct (reparameterize_spec z eps g g' H) as (? & ? & ? & ? & ? & _ & _ & -> & _).
  repeat split.
Qed.

Definition loop_facts (base : string -> aval) (tags0 : tag_env) (g g' : graph R) : Prop :=
  check_graph g' = CheckOk /\ g_inputs g' = g_inputs g /\ g_params g' = g_params g /\
  lin_walk tags0 [] (g_nodes g') = None /\ dom_walk base [] (g_nodes g') = None /\
  dom_walk base [] (g_nodes g) = None /\
  (first_mvn (g_nodes g) = None -> g' = g) /\
  forall inputs p j, inputs_fit g inputs ->
    (forall k t, av_holds (base k) (find_val (input_curve inputs p j t) k)) ->
    forall t, expected_cost g' (set_input_entry inputs p j t) = expected_cost g (set_input_entry inputs p j t).

Lemma certify_loop_sound (fuel : nat) (base : string -> aval) (tags0 : tag_env) :
  forall g g' : graph R, check_graph g = CheckOk -> certify_loop fuel base tags0 g = inl g' ->
  loop_facts base tags0 g g'.
Proof.
  induction fuel as [|f IH]; intros g g' Hchk H; simpl in H;
    (destruct (dom_walk base [] (g_nodes g)) eqn:Hd; [discriminate|]);
    (destruct (first_mvn (g_nodes g)) as [z|] eqn:Hm).
  2, 4: (destruct (lin_walk _ _ (g_nodes g)) eqn:Hg; [discriminate|]); injection H as <-;
    (repeat split; auto).
  1: discriminate.
  destruct (reparameterize z (eps_name z) g) as [g2|m] eqn:Hr; [|discriminate].
  destruct (reparameterize_same z (eps_name z) g g2 Hr) as (Hi & Hp & _).
  destruct (IH g2 g' (reparameterize_check z (eps_name z) g g2 Hchk Hr) H)
    as (Hc' & Hi' & Hp' & Hg' & Hd' & Hd2 & _ & He).
  repeat split; try congruence; auto.
  intros inputs p j Hfit Hbase t.
  assert (Hfit2 : inputs_fit g2 inputs) by (unfold inputs_fit; rewrite Hi; exact Hfit).
  rewrite (He inputs p j Hfit2 Hbase t).
  apply (reparameterize_expected_cost z (eps_name z) g g2); [exact Hchk|exact Hr| |].
  - apply inputs_fit_set_input_entry, Hfit.
  - apply (reachable_domains_at g inputs p j (t - 1) (t + 1)); [|lra].
    apply (dom_walk_sound base _ _ _ _ []); [|exact Hd]. intros k s. apply Hbase.
Qed.

(** * Soundness *)

(** What [certify_graph g boxes = inl g'] guarantees: [g'] passes the
    checker, has [g]'s inputs and parameters, and satisfies every
    precondition of [backprop_unbiased] for all inputs in the boxes, every
    parameter, entry and interval; [g] satisfies [reachable_domains]; the
    two graphs have the same expected cost along the entry; [g' = g] when
    [g] has no [mvn] node. *)
Theorem certify_pre (g g' : graph R) (boxes : list (string * itv)) :
  certify_graph g boxes = inl g' ->
  check_graph g = CheckOk /\ check_graph g' = CheckOk /\
  g_inputs g' = g_inputs g /\ g_params g' = g_params g /\
  (first_mvn (g_nodes g) = None -> g' = g) /\
  forall (inputs : env R) (p : string) (j : nat) (a b : R),
    inputs_fit g inputs -> in_boxes g boxes inputs -> In p (g_params g) ->
    inputs_fit g' inputs /\
    reachable_domains g' inputs p j a b /\ is_gintegrable g' inputs p j a b /\
    can_differentiate_under_integrals g' inputs p j a b /\
    reachable_domains g inputs p j a b /\
    forall t, expected_cost g' (set_input_entry inputs p j t) = expected_cost g (set_input_entry inputs p j t).
Proof.
  unfold certify_graph. intros H.
  destruct (box_error g boxes); [discriminate|].
  destruct (check_graph g) eqn:Hchk; [|discriminate].
  destruct (certify_loop_sound _ _ _ g g' Hchk H) as (Hc' & Hi & Hp & Hg & Hd' & Hd & Hsame & He).
  do 5 (split; [auto|]).
  intros inputs p j a b Hfit Hb Hpin.
  pose proof (input_base_sound g boxes inputs p j Hb Hpin) as Hbase.
  assert (Hfit' : inputs_fit g' inputs) by (unfold inputs_fit; rewrite Hi; exact Hfit).
  assert (Hb' : in_boxes g' boxes inputs)
    by (unfold in_boxes, input_names in *; rewrite Hi, Hp; exact Hb).
  assert (Ht : box_tags g' boxes = box_tags g boxes)
    by (unfold box_tags, box_tag; rewrite Hi, Hp; reflexivity).
  rewrite <- Ht in Hg.
  destruct (lin_walk_pre g' boxes inputs p j a b Hc' Hfit' Hb' ltac:(rewrite Hp; exact Hpin) Hg)
    as [HI HD].
  repeat split; auto.
  - apply (dom_walk_sound _ _ _ _ _ [] _ Hbase Hd').
  - apply (dom_walk_sound _ _ _ _ _ [] _ Hbase Hd).
Qed.

(** The conclusion: the derivative of [g]'s expected cost with respect to
    any parameter entry is the expected gradient of [backprop] on the
    certified graph ([g] itself when [g] has no [mvn] node). *)
Definition certify_sound_statement : Prop :=
  forall (g : graph R) (boxes : list (string * itv)) (inputs : env R) (p : string) (j : nat),
  certify g boxes = Certified ->
  inputs_fit g inputs -> in_boxes g boxes inputs ->
  In p (g_params g) -> (j < length (find_val inputs p))%nat ->
  is_derive (fun t => expected_cost g (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0) (expected_grad (certified_graph g boxes) inputs p j) /\
  (first_mvn (g_nodes g) = None -> certified_graph g boxes = g).

Theorem certify_sound : certify_sound_statement.
Proof.
  intros g boxes inputs p j Hc Hfit Hb Hp Hj.
  unfold certify, certified_graph in *.
  destruct (certify_graph g boxes) as [g'|[n m]] eqn:H; [|discriminate].
  destruct (certify_pre g g' boxes H) as (Hchk & Hc' & Hi & Hpar & Hsame & Hall).
  split; [|exact Hsame].
  set (t0 := nth j (find_val inputs p) 0).
  destruct (Hall inputs p j (t0 - 1) (t0 + 1) Hfit Hb Hp) as (Hfit' & Hd' & HI & HD & _ & He).
  apply (is_derive_ext (fun t => expected_cost g' (set_input_entry inputs p j t))); [apply He|].
  apply (backprop_unbiased g' inputs p j (t0 - 1) (t0 + 1)); try assumption.
  - rewrite Hpar. exact Hp.
  - pose proof (input_values_sized g' inputs (check_graph_sound _ Hc') Hfit' p) as Hs.
    rewrite <- Hs; [exact Hj|].
    rewrite input_senv_names. unfold input_names. rewrite Hi.
    destruct (check_graph_sound _ Hchk) as (_ & _ & _ & Hincl & _). apply Hincl, Hp.
  - unfold t0. lra.
Qed.

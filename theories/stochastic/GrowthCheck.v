(** * The growth analysis of a graph and its soundness

    [growth_check g] walks the nodes of a graph whose noise is [mvn_std]
    with one tag per reference (GrowthDefs.v): every input is bounded
    ([GBnd]: its entries are constants or the moving entry [t]), every
    draw has exponential growth ([GGood]), and each deterministic node gets
    the tag the operator table gives for its parents' tags, or the walk
    stops with the node's name.  [growth_check_sound]: when it passes, the
    total cost, as a function of the moving entry [t] and of all the draws
    [xs] (StdFlatten.v's [det_run]), is smooth with exponential growth
    ([sg_with]) on every interval; StdNormalPre.v turns that into the
    preconditions [is_gintegrable] and [can_differentiate_under_integrals]
    of the unbiasedness theorem ([growth_check_pre]).

    The walk is written for any operator table [dop_gtag] together with
    its soundness (a section hypothesis, instantiated by GrowthOps.v). *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Lia Lra FunctionalExtensionality.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph WellFormed WellFormedSound.
From Certigrad Require Import GraphFacts ListSums Stochastic StochasticPre Unbiased Transform.
From Certigrad Require Import GrowthDefs StdFlatten GrowthScalar GrowthOps.
From Certigrad Require StdNormalPre.
Import ListNotations.

Local Open Scope list_scope.
Local Open Scope R_scope.

(** * The walk *)

Definition tag_env := list (string * gtag).

Definition find_tag (ae : tag_env) (k : string) : gtag :=
  match lookup ae k with Some t => t | None => GGood end.

Section Walk.
Variable dop_gtag : dop R -> list gtag -> option gtag.

Fixpoint growth_nodes (ae : tag_env) (ns : list (node R)) : res tag_env :=
  match ns with
  | [] => Ok ae
  | NDet r o ps :: ns' =>
      match dop_gtag o (map (find_tag ae) ps) with
      | Some tg => growth_nodes ((ref_name r, tg) :: ae) ns'
      | None => Err (node_msg (ref_name r)
                       (op_name (ODet o) ++ ": no growth bound is known for these parents"))
      end
  | NRand r MvnStd _ :: ns' => growth_nodes ((ref_name r, GGood) :: ae) ns'
  | NRand r Mvn _ :: _ =>
      Err (node_msg (ref_name r) "mvn noise with moving parameters (reparameterize it)")
  end.

(** Inputs are bounded. *)
Definition input_tags (g : graph R) : tag_env := map (fun r => (ref_name r, GBnd)) (g_inputs g).

Definition growth_check (g : graph R) : res tag_env := growth_nodes (input_tags g) (g_nodes g).

(** * Soundness *)

Variables a b : R.
Hypothesis dop_gtag_sound : forall (o : dop R) (ss : list shape) (decl sout : shape)
    (Vs : R -> list R -> list (list R)) (ts : list gtag) (tg : gtag),
  op_out_shape (ODet o) decl ss = Some sout ->
  length ts = length ss ->
  (forall t xs, length (Vs t xs) = length ss) ->
  (forall i, (i < length ss)%nat ->
     tag_holds a b (nth i ts GGood) (shape_size (nth i ss [])) (fun t xs => nth i (Vs t xs) [])) ->
  dop_gtag o ts = Some tg ->
  tag_holds a b tg (shape_size sout) (fun t xs => dop_forward R_ops o ss (Vs t xs)).
Hypothesis segment_good : forall k n, tag_holds a b GGood n (fun _ xs => draw_segment k n xs).
Hypothesis input_bnd : forall (n : nat) (V : tfun),
  (forall t xs, length (V t xs) = n) ->
  (forall i, (exists c0, forall t xs, nth i (V t xs) 0 = c0) \/ (forall t xs, nth i (V t xs) 0 = t)) ->
  tag_holds a b GBnd n V.
Hypothesis tag_good : forall tg n V, tag_holds a b tg n V -> exists c, 0 <= c /\ tsg a b c V.
Hypothesis sg_add : forall c1 c2 u1 u2, 0 <= c1 -> 0 <= c2 -> sg a b c1 u1 -> sg a b c2 u2 ->
  exists c, 0 <= c /\ sg a b c (fun t xs => u1 t xs + u2 t xs).
Hypothesis sg_const : forall c0, sg a b 0 (fun _ _ => c0).

Variable g : graph R.
Local Notation se_g := (shape_env g).

(** What the tags say of an environment that depends on [t] and the draws. *)
Definition tags_hold (S : list string) (ae : tag_env) (V : R -> list R -> env R) : Prop :=
  forall r, In r S ->
  tag_holds a b (find_tag ae r) (shape_size (find_shape se_g r)) (fun t xs => find_val (V t xs) r).

Lemma tag_holds_ext (tg : gtag) (n : nat) (V1 V2 : tfun) :
  (forall t xs, V1 t xs = V2 t xs) -> tag_holds a b tg n V1 -> tag_holds a b tg n V2.
Proof.
  intros E. replace V2 with V1; [tauto|].
  apply functional_extensionality. intros t. apply functional_extensionality. intros xs. apply E.
Qed.

Lemma find_tag_cons (ae : tag_env) (k r : string) (tg : gtag) :
  find_tag ((k, tg) :: ae) r = if String.eqb r k then tg else find_tag ae r.
Proof. unfold find_tag. simpl. destruct (String.eqb r k); reflexivity. Qed.

Lemma find_val_cons (E : env R) (k r : string) (v : list R) :
  find_val ((k, v) :: E) r = if String.eqb r k then v else find_val E r.
Proof. unfold find_val. simpl. destruct (String.eqb r k); reflexivity. Qed.

Lemma tags_hold_cons (S : list string) (ae : tag_env) (V : R -> list R -> env R)
    (k : string) (tg : gtag) (v : R -> list R -> list R) :
  tags_hold S ae V ->
  tag_holds a b tg (shape_size (find_shape se_g k)) v ->
  tags_hold (k :: S) ((k, tg) :: ae) (fun t xs => (k, v t xs) :: V t xs).
Proof.
  intros HS Hk r Hr. rewrite find_tag_cons.
  destruct (String.eqb_spec r k) as [->|Hrk].
  - eapply tag_holds_ext; [|exact Hk].
    intros t xs. rewrite find_val_cons, String.eqb_refl. reflexivity.
  - destruct Hr as [<-|Hr]; [congruence|].
    eapply tag_holds_ext; [|exact (HS r Hr)].
    intros t xs. rewrite find_val_cons. destruct (String.eqb_spec r k); [congruence|reflexivity].
Qed.

Lemma tags_hold_incl (S1 S2 : list string) (ae : tag_env) (V : R -> list R -> env R) :
  incl S1 S2 -> tags_hold S2 ae V -> tags_hold S1 ae V.
Proof. intros Hi H r Hr. apply H, Hi, Hr. Qed.

Lemma nth_map_string {X : Type} (f : string -> X) (ps : list string) (i : nat) (d : X) :
  (i < length ps)%nat -> nth i (map f ps) d = f (nth i ps ""%string).
Proof. intros Hi. apply (nth_map_in _ _ _ _ _ ""%string), Hi. Qed.

(** The step: along [det_run], the tags of the walk hold of every value. *)
Lemma growth_nodes_sound (ns : list (node R)) :
  forall (se : senv) (ae ae' : tag_env) (V : R -> list R -> env R) (k : nat) (D : env R),
  wf_nodes se ns -> Forall (good_node g) ns ->
  tags_hold (map fst se) ae V ->
  growth_nodes ae ns = Ok ae' ->
  tags_hold (map fst se ++ map node_name ns) ae'
    (fun t xs => fst (det_run se_g ns xs k (V t xs) D)).
Proof.
  induction ns as [|n ns IH]; intros se ae ae' V k D Hwf Hgood HV Hgr.
  - simpl in Hgr. injection Hgr as <-. rewrite app_nil_r. exact HV.
  - inversion Hwf as [|? ? ? Hfresh Hsv Hps Hout Hwf']; subst.
    inversion Hgood as [|? ? Hgn Hgood']; subst.
    destruct Hgn as (_ & Hshape & _ & Hout_g).
    apply (tags_hold_incl _ (map fst ((node_name n, node_shape n) :: se) ++ map node_name ns)).
    { intros x Hx. simpl. rewrite in_app_iff in *. simpl in Hx.
      destruct Hx as [Hx|[Hx|Hx]]; auto. }
    destruct n as [r o ps|r o ps]; simpl in Hgr.
    + destruct (dop_gtag o (map (find_tag ae) ps)) as [tg|] eqn:Htg; [|discriminate].
      simpl.
      apply (IH ((ref_name r, ref_shape r) :: se) ((ref_name r, tg) :: ae) ae'
               (fun t xs => (ref_name r, dop_forward R_ops o (parent_shapes se_g ps)
                                          (map (find_val (V t xs)) ps)) :: V t xs) k D Hwf' Hgood');
        [|exact Hgr].
      apply tags_hold_cons; [exact HV|].
      change (find_shape se_g (ref_name r) = ref_shape r) in Hshape. rewrite Hshape.
      apply (dop_gtag_sound o (parent_shapes se_g ps) (ref_shape r) (ref_shape r)
               (fun t xs => map (find_val (V t xs)) ps) (map (find_tag ae) ps));
        [exact Hout_g| | | |exact Htg].
      * unfold parent_shapes. rewrite !map_length. reflexivity.
      * intros t xs. unfold parent_shapes. rewrite !map_length. reflexivity.
      * intros i Hi. unfold parent_shapes in Hi. rewrite map_length in Hi.
        rewrite nth_map_string by exact Hi. unfold parent_shapes. rewrite nth_map_string by exact Hi.
        eapply tag_holds_ext; [|apply HV].
        -- intros t xs. rewrite nth_map_string by exact Hi. reflexivity.
        -- rewrite Forall_forall in Hps. apply Hps, nth_In, Hi.
    + destruct o; [discriminate|]. simpl.
      set (m := shape_size (ref_shape r)).
      set (V' := fun (t : R) (xs : list R) => (ref_name r, draw_segment k m xs) :: V t xs).
      assert (HV' : tags_hold (map fst ((ref_name r, ref_shape r) :: se)) ((ref_name r, GGood) :: ae) V').
      { apply tags_hold_cons; [exact HV|].
        change (find_shape se_g (ref_name r) = ref_shape r) in Hshape. rewrite Hshape.
        apply segment_good. }
      pose proof (IH _ _ _ V' (k + m)%nat D Hwf' Hgood' HV' Hgr) as H.
      intros x Hx. eapply tag_holds_ext; [|exact (H x Hx)].
      intros t xs. unfold V'. f_equal. apply det_run_vals.
Qed.


(** The inputs along the curve that moves entry [j] of [p]: bounded. *)
Lemma input_tags_hold (inputs : env R) (p : string) (j : nat) :
  wf_graph g -> inputs_fit g inputs ->
  tags_hold (map fst (input_senv g)) (input_tags g) (fun t (_ : list R) => input_curve inputs p j t).
Proof.
  intros Hwf Hfit r Hr.
  assert (Htag : find_tag (input_tags g) r = GBnd).
  { unfold find_tag, input_tags.
    replace (map (fun r => (ref_name r, GBnd)) (g_inputs g))
      with (map (fun x => (x, (fun _ => GBnd) x)) (input_names g))
      by (unfold input_names; rewrite map_map; reflexivity).
    rewrite lookup_map_key; [reflexivity|]. rewrite <- input_senv_names. exact Hr. }
  rewrite Htag. apply input_bnd.
  - intros t _. unfold input_curve. rewrite set_input_entry_set_entry, set_entry_length.
    apply (input_values_sized g inputs Hwf Hfit r Hr).
  - intros i. unfold input_curve.
    destruct (String.eqb_spec p r) as [<-|Hpr].
    + destruct (Nat.eq_dec i j) as [->|Hij].
      * destruct (Nat.lt_ge_cases j (length (find_val inputs p))) as [Hj|Hj].
        -- right. intros t _. rewrite set_input_entry_set_entry, find_val_set_entry, String.eqb_refl.
           apply nth_replace_nth_eq, Hj.
        -- left. exists 0. intros t _.
           rewrite set_input_entry_set_entry, find_val_set_entry, String.eqb_refl.
           apply nth_overflow. rewrite replace_nth_length. exact Hj.
      * left. exists (nth i (find_val inputs p) 0). intros t _.
        rewrite set_input_entry_set_entry, find_val_set_entry, String.eqb_refl.
        apply nth_replace_nth_neq, Hij.
    + left. exists (nth i (find_val inputs r) 0). intros t _.
      rewrite set_input_entry_set_entry, find_val_set_entry.
      destruct (String.eqb_spec p r); [congruence|reflexivity].
Qed.

(** A sum of costs whose values have tags has exponential growth. *)
Lemma fold_costs_sg (S : list string) (ae : tag_env) (V : R -> list R -> env R) (cs : list string) :
  tags_hold S ae V -> incl cs S ->
  forall (A : R -> list R -> R) (c0 : R), 0 <= c0 -> sg a b c0 A ->
  exists c, 0 <= c /\
    sg a b c (fun t xs => fold_left (fun acc c => acc + scalar_of R_ops (find_val (V t xs) c)) cs (A t xs)).
Proof.
  intros HS. induction cs as [|c cs IH]; intros Hcs A c0 Hc0 HA; simpl; [exists c0; auto|].
  destruct (tag_good _ _ _ (HS c (Hcs c (or_introl eq_refl)))) as [c1 [Hc1 Hc1s]].
  destruct (sg_add c0 c1 A (fun t xs => scalar_of R_ops (find_val (V t xs) c)) Hc0 Hc1 HA)
    as [c2 [Hc2 Hc2s]].
  { unfold scalar_of. destruct (Hc1s 0%nat) as [du Hdu]. exists du.
    replace (fun t xs => hd (s_zero R_ops) (find_val (V t xs) c))
      with (fun t xs => nth 0 (find_val (V t xs) c) 0); [exact Hdu|].
    apply functional_extensionality. intros t. apply functional_extensionality. intros xs.
    destruct (find_val (V t xs) c); reflexivity. }
  apply (IH (fun x Hx => Hcs x (or_intror Hx)) _ c2 Hc2 Hc2s).
Qed.

(** Soundness of the walk: the total cost along the run with all draws
    given is smooth with exponential growth. *)
Theorem growth_check_sound (inputs : env R) (p : string) (j : nat) (tagsf : tag_env) :
  check_graph g = CheckOk -> inputs_fit g inputs -> growth_check g = Ok tagsf ->
  exists c du, 0 <= c /\
    sg_with a b c
      (fun t xs => cost_of g (det_run se_g (g_nodes g) xs 0 (input_curve inputs p j t) [])) du.
Proof.
  intros Hchk Hfit Hgc. pose proof (check_graph_sound g Hchk) as Hwf.
  pose proof (wf_graph_good g Hwf) as Hgood.
  destruct Hwf as (Hnd & Hsv & Hpnd & Hpin & Hwfn & Hcnd & Hcs).
  pose proof (growth_nodes_sound (g_nodes g) (input_senv g) (input_tags g) tagsf
                (fun t (_ : list R) => input_curve inputs p j t) 0%nat [] Hwfn Hgood
                (input_tags_hold inputs p j (check_graph_sound g Hchk) Hfit) Hgc) as Hall.
  destruct (fold_costs_sg _ _ _ (g_costs g) Hall) with (A := fun (_ : R) (_ : list R) => 0) (c0 := 0)
    as [c [Hc [du Hdu]]].
  - intros x Hx. apply in_app_iff.
    destruct (costs_covered g (check_graph_sound g Hchk) x Hx); auto.
  - lra.
  - apply sg_const.
  - exists c, du. split; [exact Hc|]. exact Hdu.
Qed.

(** [growth_check] accepts only [mvn_std] noise. *)
Lemma growth_nodes_std (ns : list (node R)) :
  forall ae ae', growth_nodes ae ns = Ok ae' -> all_std ns = true.
Proof.
  induction ns as [|[r o ps|r o ps] ns IH]; intros ae ae' H; simpl in *; [reflexivity| |].
  - destruct (dop_gtag o (map (find_tag ae) ps)); [eapply IH, H|discriminate].
  - destruct o; [discriminate|]. eapply IH, H.
Qed.

(** The integral preconditions of [backprop_unbiased], decided. *)
Theorem growth_check_pre (inputs : env R) (p : string) (j : nat) (tagsf : tag_env) :
  check_graph g = CheckOk -> inputs_fit g inputs -> growth_check g = Ok tagsf ->
  is_gintegrable g inputs p j a b /\ can_differentiate_under_integrals g inputs p j a b.
Proof.
  intros Hchk Hfit Hgc.
  destruct (growth_check_sound inputs p j tagsf Hchk Hfit Hgc) as [c [du [Hc Hs]]].
  unfold is_gintegrable, can_differentiate_under_integrals.
  rewrite (pgraph_std g inputs p j (growth_nodes_std _ _ _ Hgc)).
  exact (@StdNormalPre.std_draws_pre _ (cost_of g) _ (n_draws (g_nodes g)) a b c du Hc Hs).
Qed.

End Walk.

(** * With the operator table of GrowthOps.v *)

(** The integral preconditions of [backprop_unbiased], decided by
    [growth_check dop_gtag] for every input, parameter entry and
    interval. *)
Theorem growth_check_sound_pre (g : graph R) (inputs : env R) (p : string) (j : nat)
    (a b : R) (tags : tag_env) :
  check_graph g = CheckOk -> inputs_fit g inputs -> growth_check dop_gtag g = Ok tags ->
  is_gintegrable g inputs p j a b /\ can_differentiate_under_integrals g inputs p j a b.
Proof.
  exact (growth_check_pre dop_gtag a b (dop_gtag_sound a b) (segment_good a b) (input_bnd a b)
           (tag_good a b) (sg_add a b) (sg_const a b) g inputs p j tags).
Qed.

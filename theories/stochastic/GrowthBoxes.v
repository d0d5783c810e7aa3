(** * The growth analysis with input boxes

    GrowthCheck.v's walk starts with every input bounded ([GBnd]).  Here a
    data input whose box (Intervals.v) has a positive lower end starts
    [GPos] (bounded, and bounded below by a positive constant), so that
    [log x], [sqrt x], [div _ x] and [mvn_kl _ x] of such an input pass the
    walk.  [box_tags_hold]: the start tags hold of the inputs in the boxes
    along the moving parameter entry (used by GrowthLinCheck.v). *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals QArith Qreals String List Arith Bool Lia Lra.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed WellFormedSound GraphFacts ListSums.
From Certigrad Require Import Stochastic StochasticPre Unbiased.
From Certigrad Require Import GrowthDefs StdFlatten GrowthOps GrowthCheck Intervals.
Import ListNotations.

Local Open Scope R_scope.

(** * Boxes *)

Definition box_of (boxes : list (string * itv)) (k : string) : itv :=
  match lookup boxes k with Some i => i | None => top end.

(** The data inputs lie in their boxes. *)
Definition in_boxes (g : graph R) (boxes : list (string * itv)) (inputs : env R) : Prop :=
  forall k, In k (input_names g) -> ~ In k (g_params g) -> itv_holds (box_of boxes k) (find_val inputs k).

Definition qpos (q : Q) : bool := negb (Qle_bool q 0).

Lemma qpos_pos (q : Q) : qpos q = true -> 0 < Q2R q.
Proof.
  unfold qpos. intros E. apply negb_true_iff in E.
  destruct (Qlt_le_dec 0 q) as [L|L]; [rewrite <- Q2R_0; apply Qlt_Rlt, L|].
  apply Qle_bool_iff in L. congruence.
Qed.

(** The start tag of an input: [GPos] for a data input whose box has a
    positive lower end, else [GBnd]. *)
Definition box_tag {T : Type} (g : graph T) (boxes : list (string * itv)) (k : string) : gtag :=
  if negb (mem k (g_params g)) && match fst (box_of boxes k) with Some l => qpos l | None => false end
  then GPos else GBnd.

Definition box_tags {T : Type} (g : graph T) (boxes : list (string * itv)) : tag_env :=
  map (fun r => (ref_name r, box_tag g boxes (ref_name r))) (g_inputs g).

(** * Soundness *)

Section Sound.
Variables a b : R.

Lemma box_tags_hold (g : graph R) (boxes : list (string * itv)) (inputs : env R) (p : string) (j : nat) :
  wf_graph g -> inputs_fit g inputs -> in_boxes g boxes inputs -> In p (g_params g) ->
  tags_hold a b g (map fst (input_senv g)) (box_tags g boxes) (fun t (_ : list R) => input_curve inputs p j t).
Proof.
  intros Hwf Hfit Hb Hp r Hr.
  pose proof (input_tags_hold a b (input_bnd a b) g inputs p j Hwf Hfit r Hr) as Hbnd.
  assert (Hnames : In r (input_names g)) by (rewrite <- input_senv_names; exact Hr).
  assert (Hfind : forall f : string -> gtag,
             find_tag (map (fun r => (ref_name r, f (ref_name r))) (g_inputs g)) r = f r).
  { intros f. unfold find_tag.
    replace (map (fun r => (ref_name r, f (ref_name r))) (g_inputs g))
      with (map (fun x => (x, f x)) (input_names g))
      by (unfold input_names; rewrite map_map; reflexivity).
    rewrite lookup_map_key by exact Hnames. reflexivity. }
  unfold box_tags. rewrite Hfind. unfold input_tags in Hbnd.
  rewrite (Hfind (fun _ => GBnd)) in Hbnd.
  unfold box_tag. destruct (mem r (g_params g)) eqn:Ep; simpl; [exact Hbnd|].
  destruct (fst (box_of boxes r)) as [l|] eqn:El; [|exact Hbnd].
  destruct (qpos l) eqn:Eq; [|exact Hbnd].
  destruct Hbnd as [Hl Hs]. split; [exact Hl|]. split; [exact Hs|].
  exists (Q2R l). split; [apply qpos_pos, Eq|].
  intros t xs i _ Hi.
  apply mem_false in Ep.
  assert (E : find_val (input_curve inputs p j t) r = find_val inputs r).
  { unfold input_curve. rewrite set_input_entry_set_entry, find_val_set_entry.
    destruct (String.eqb_spec p r) as [<-|_]; [contradiction|reflexivity]. }
  rewrite E. rewrite <- (Hl t xs), E in Hi.
  pose proof (Hb r Hnames Ep) as Hbox. unfold itv_holds in Hbox.
  rewrite Forall_forall in Hbox.
  destruct (Hbox (nth i (find_val inputs r) 0) (nth_In _ _ Hi)) as [Hlo _].
  rewrite El in Hlo. exact Hlo.
Qed.

End Sound.

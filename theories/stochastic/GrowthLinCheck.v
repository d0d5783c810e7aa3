(** * The growth walk with linear flags, from the input boxes

    [lin_walk] is GrowthCheck.v's walk with, besides the tag of each
    reference, a flag "linear in the draws" (GrowthLin.v): draws are
    linear; a node is linear when its tag is bounded or GrowthLin.v's
    [op_lin] says so; [exp] of a linear value gets the tag [GGood]
    (GrowthOps.v's table refuses it); a sum of two [GPos] values is [GPos]
    (the table says bounded).  Every other operator uses
    GrowthOps.v's [dop_gtag].  The walk starts from GrowthBoxes.v's
    [box_tags] and reports the first node it cannot tag, with a reason.

    [lin_walk_pre]: when the walk passes on a graph with [mvn_std] noise,
    [is_gintegrable] and [can_differentiate_under_integrals] hold for
    every input in the boxes, every parameter entry and every interval.
    The proof is GrowthCheck.v's ([growth_nodes_sound],
    [growth_check_pre]) with the flags carried along. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Bool Lia Lra.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed WellFormedSound GraphFacts ListSums.
From Certigrad Require Import Stochastic StochasticPre Transform.
From Certigrad Require Import GrowthDefs StdFlatten GrowthScalar GrowthOps GrowthCheck GrowthLin GrowthBoxes.
From Certigrad Require StdNormalPre.
Import ListNotations.

Local Open Scope R_scope.

(** * The walk *)

Definition find_lin (le : list (string * bool)) (k : string) : bool :=
  match lookup le k with Some l => l | None => false end.

(** [exp] of a linear value has exponential growth; a sum of two [GPos]
    values is [GPos]; otherwise the table. *)
Definition lin_gtag {T : Type} (o : @dop T) (ts : list gtag) (pl : list bool) : option gtag :=
  if pos_add o ts then Some GPos else
  match o, ts, pl with
  | Exp, [t], [l] => if is_bnd t then Some GPos else if l then Some GGood else None
  | _, _, _ => dop_gtag o ts
  end.

Definition growth_reason {T : Type} (o : @dop T) : string :=
  op_name (ODet o) ++
  match o with
  | Exp => ": exp of a value that grows faster than linearly in the draws (its expectation need not be finite)"
  | Log | Sqrt | Div | MvnKl | MvnEmpiricalKl =>
      ": needs an operand bounded away from 0 independently of the draws"
  | BernoulliNeglogpdf => ": the probability must be a sigmoid"
  | _ => ": no growth bound is known for these parents"
  end.

Fixpoint lin_walk {T : Type} (ae : tag_env) (le : list (string * bool)) (ns : list (node T))
    : option (string * string) :=
  match ns with
  | [] => None
  | NDet r o ps :: ns' =>
      let ts := map (find_tag ae) ps in
      let pl := map (fun p => is_bnd (find_tag ae p) || find_lin le p) ps in
      match lin_gtag o ts pl with
      | Some tg => lin_walk ((ref_name r, tg) :: ae)
                     ((ref_name r, is_bnd tg || op_lin o pl (map is_bnd ts)) :: le) ns'
      | None => Some (ref_name r, growth_reason o)
      end
  | NRand r MvnStd _ :: ns' => lin_walk ((ref_name r, GGood) :: ae) ((ref_name r, true) :: le) ns'
  | NRand r Mvn _ :: _ => Some (ref_name r, "mvn noise left after reparameterization")
  end.

(** * Soundness *)

Section Sound.
Variables a b : R.
Variable g : graph R.
Local Notation se_g := (shape_env g).

Definition lins_hold (le : list (string * bool)) (V : R -> list R -> env R) : Prop :=
  forall r, find_lin le r = true -> lin a b (fun t xs => find_val (V t xs) r).

Lemma lin_ext (V1 V2 : tfun) : (forall t xs, V1 t xs = V2 t xs) -> lin a b V1 -> lin a b V2.
Proof.
  intros E [L [HL H]]. exists L. split; [exact HL|]. intros t xs i Ht. rewrite <- E. apply H, Ht.
Qed.

Lemma lins_hold_cons (le : list (string * bool)) (V : R -> list R -> env R) (k : string) (l : bool)
    (v : R -> list R -> list R) :
  lins_hold le V -> (l = true -> lin a b v) ->
  lins_hold ((k, l) :: le) (fun t xs => (k, v t xs) :: V t xs).
Proof.
  intros HV Hk. unfold lins_hold. intros x Hx. unfold find_lin in Hx. simpl in Hx.
  destruct (String.eqb_spec x k) as [E|Hxk].
  - subst x. eapply lin_ext; [|exact (Hk Hx)]. intros t xs. rewrite find_val_cons, String.eqb_refl. reflexivity.
  - eapply lin_ext; [|exact (HV x Hx)].
    intros t xs. rewrite find_val_cons. destruct (String.eqb_spec x k); [congruence|reflexivity].
Qed.

Lemma lin_nil : lin a b (fun _ _ => []).
Proof.
  exists 0. split; [lra|]. intros t xs [|i] _; simpl; rewrite Rabs_R0, Rmult_0_l; lra.
Qed.

(** What the parents' tags and flags give, entry by entry. *)
Lemma parent_facts (se : senv) (ae : tag_env) (le : list (string * bool)) (V : R -> list R -> env R)
    (ps : list string) :
  tags_hold a b g (map fst se) ae V -> lins_hold le V -> incl ps (map fst se) ->
  (forall i, (i < length ps)%nat ->
     tag_holds a b (nth i (map (find_tag ae) ps) GGood) (shape_size (nth i (parent_shapes se_g ps) []))
       (fun t xs => nth i (map (find_val (V t xs)) ps) [])) /\
  (forall i, nth i (map (fun p => is_bnd (find_tag ae p) || find_lin le p) ps) false = true ->
     lin a b (fun t xs => nth i (map (find_val (V t xs)) ps) [])) /\
  (forall i, nth i (map is_bnd (map (find_tag ae) ps)) false = true ->
     exists S, 0 <= S /\ forall t xs k, a < t < b ->
       Rabs (nth k (nth i (map (find_val (V t xs)) ps) []) 0) <= S).
Proof.
  intros HV HL Hps.
  assert (Htag : forall i, (i < length ps)%nat ->
            tag_holds a b (nth i (map (find_tag ae) ps) GGood) (shape_size (nth i (parent_shapes se_g ps) []))
              (fun t xs => nth i (map (find_val (V t xs)) ps) [])).
  { intros i Hi. rewrite nth_map_string by exact Hi. unfold parent_shapes. rewrite nth_map_string by exact Hi.
    eapply tag_holds_ext; [|apply HV].
    - intros t xs. rewrite nth_map_string by exact Hi. reflexivity.
    - apply Hps, nth_In, Hi. }
  split; [exact Htag|]. split.
  - intros i Hi. destruct (Nat.lt_ge_cases i (length ps)) as [Hl|Hl].
    + rewrite (nth_map_string _ _ _ _ Hl) in Hi. apply orb_true_iff in Hi as [Hb|Hb].
      * pose proof (Htag i Hl) as T. rewrite (nth_map_string _ _ _ _ Hl) in T.
        exact (bnd_lin a b _ _ _ Hb T).
      * eapply lin_ext; [|exact (HL _ Hb)]. intros t xs. rewrite nth_map_string by exact Hl. reflexivity.
    + eapply lin_ext; [|exact lin_nil]. intros t xs. rewrite nth_overflow by (rewrite map_length; lia).
      reflexivity.
  - intros i Hi. destruct (Nat.lt_ge_cases i (length ps)) as [Hl|Hl].
    + rewrite map_map, (nth_map_string _ _ _ _ Hl) in Hi.
      pose proof (Htag i Hl) as T. rewrite (nth_map_string _ _ _ _ Hl) in T.
      exact (bnd_uniform a b _ _ _ Hi T).
    + rewrite nth_overflow in Hi by (rewrite !map_length; lia). discriminate.
Qed.

Lemma lin_walk_sound (ns : list (node R)) :
  forall (se : senv) (ae : tag_env) (le : list (string * bool)) (V : R -> list R -> env R)
    (k : nat) (D : env R),
  wf_nodes se ns -> Forall (good_node g) ns ->
  tags_hold a b g (map fst se) ae V -> lins_hold le V ->
  lin_walk ae le ns = None ->
  exists ae', tags_hold a b g (map fst se ++ map node_name ns) ae'
    (fun t xs => fst (det_run se_g ns xs k (V t xs) D)).
Proof.
  induction ns as [|n ns IH]; intros se ae le V k D Hwf Hgood HV HL Hw.
  - exists ae. rewrite app_nil_r. exact HV.
  - inversion Hwf as [|? ? ? Hfresh Hsv Hps Hout Hwf']; subst.
    inversion Hgood as [|? ? Hgn Hgood']; subst.
    destruct Hgn as (_ & Hshape & _ & Hout_g).
    assert (Hsub : forall ae' (F : R -> list R -> env R),
               tags_hold a b g (map fst ((node_name n, node_shape n) :: se) ++ map node_name ns) ae' F ->
               tags_hold a b g (map fst se ++ map node_name (n :: ns)) ae' F).
    { intros ae' F H. eapply tags_hold_incl; [|exact H].
      intros x Hx. simpl. rewrite in_app_iff in *. simpl in Hx. destruct Hx as [Hx|[Hx|Hx]]; auto. }
    destruct n as [r o ps|r o ps]; simpl in Hw.
    + set (ts := map (find_tag ae) ps) in Hw.
      set (pl := map (fun p => is_bnd (find_tag ae p) || find_lin le p) ps) in Hw.
      destruct (lin_gtag o ts pl) as [tg|] eqn:Htg; [|discriminate].
      set (W := fun t xs => dop_forward R_ops o (parent_shapes se_g ps) (map (find_val (V t xs)) ps)).
      rewrite Forall_forall in Hps.
      destruct (parent_facts se ae le V ps HV HL Hps) as (Ht & Hpl & Hbs).
      change (find_shape se_g (ref_name r) = ref_shape r) in Hshape.
      assert (Htw : tag_holds a b tg (shape_size (ref_shape r)) W).
      { unfold lin_gtag in Htg. destruct (pos_add o ts) eqn:Epa.
        { injection Htg as <-. apply (pos_add_sound a b o _ (ref_shape r) _ _ ts Epa Hout_g);
            [unfold ts, parent_shapes; rewrite !map_length; reflexivity|].
          intros i Hi. apply Ht. unfold parent_shapes in Hi. rewrite map_length in Hi. exact Hi. }
        destruct o; try (apply (dop_gtag_sound a b _ (parent_shapes se_g ps) (ref_shape r) (ref_shape r)
                   (fun t xs => map (find_val (V t xs)) ps) ts);
                   [exact Hout_g|unfold ts, parent_shapes; rewrite !map_length; reflexivity
                   |intros; unfold parent_shapes; rewrite !map_length; reflexivity
                   |intros i Hi; apply Ht; unfold parent_shapes in Hi; rewrite map_length in Hi; exact Hi
                   |exact Htg]).
        (* exp *)
        destruct ps as [|p [|p' ps']]; simpl in Htg; try discriminate.
        destruct (is_bnd (find_tag ae p)) eqn:Eb.
        - apply (dop_gtag_sound a b Exp (parent_shapes se_g [p]) (ref_shape r) (ref_shape r)
                   (fun t xs => map (find_val (V t xs)) [p]) ts);
            [exact Hout_g|reflexivity|reflexivity| |unfold ts; simpl; rewrite Eb; exact Htg].
          intros i Hi. apply Ht. exact Hi.
        - destruct (find_lin le p) eqn:El; [|discriminate]. injection Htg as <-.
          apply OpsCorrect.out_shape_same1 in Hout_g; [|reflexivity|reflexivity].
          change (parent_shapes se_g [p] = [ref_shape r]) in Hout_g.
          pose proof (Ht 0%nat ltac:(simpl; lia)) as T0.
          rewrite Hout_g in T0. simpl in T0.
          unfold W. simpl.
          apply (exp_lin_tag a b _ _ _ T0).
          apply (Hpl 0%nat). simpl. rewrite El, orb_true_r. reflexivity. }
      destruct (IH ((ref_name r, ref_shape r) :: se) ((ref_name r, tg) :: ae)
                  ((ref_name r, is_bnd tg || op_lin o pl (map is_bnd ts)) :: le)
                  (fun t xs => (ref_name r, W t xs) :: V t xs) k D Hwf' Hgood') as [ae' Hae'];
        [| |exact Hw|].
      * apply tags_hold_cons; [exact HV|]. rewrite Hshape. exact Htw.
      * apply lins_hold_cons; [exact HL|]. intros Hf. apply orb_true_iff in Hf as [Hf|Hf].
        -- exact (bnd_lin a b _ _ _ Hf Htw).
        -- apply (op_lin_sound a b (parent_shapes se_g ps) (fun t xs => map (find_val (V t xs)) ps)
                    pl (map is_bnd ts) Hpl Hbs o Hf).
      * exists ae'. apply Hsub. exact Hae'.
    + destruct o; [discriminate|]. simpl.
      set (m := shape_size (ref_shape r)).
      set (V' := fun (t : R) (xs : list R) => (ref_name r, draw_segment k m xs) :: V t xs).
      destruct (IH ((ref_name r, ref_shape r) :: se) ((ref_name r, GGood) :: ae) ((ref_name r, true) :: le)
                  V' (k + m)%nat D Hwf' Hgood') as [ae' Hae']; [| |exact Hw|].
      * apply tags_hold_cons; [exact HV|].
        change (find_shape se_g (ref_name r) = ref_shape r) in Hshape. rewrite Hshape.
        apply segment_good.
      * apply lins_hold_cons; [exact HL|]. intros _. apply segment_lin.
      * exists ae'. apply Hsub. intros x Hx. eapply tag_holds_ext; [|exact (Hae' x Hx)].
        intros t xs. unfold V'. f_equal. apply det_run_vals.
Qed.

Lemma lin_walk_std (ns : list (node R)) :
  forall ae le, lin_walk ae le ns = None -> all_std ns = true.
Proof.
  induction ns as [|[r o ps|r o ps] ns IH]; intros ae le H; simpl in *; [reflexivity| |].
  - destruct (lin_gtag o _ _); [eapply IH, H|discriminate].
  - destruct o; [discriminate|]. eapply IH, H.
Qed.

End Sound.

(** The integral preconditions of [backprop_unbiased], decided by the walk
    from the boxes. *)
Theorem lin_walk_pre (g : graph R) (boxes : list (string * Intervals.itv)) (inputs : env R)
    (p : string) (j : nat) (a b : R) :
  check_graph g = CheckOk -> inputs_fit g inputs -> in_boxes g boxes inputs -> In p (g_params g) ->
  lin_walk (box_tags g boxes) [] (g_nodes g) = None ->
  is_gintegrable g inputs p j a b /\ can_differentiate_under_integrals g inputs p j a b.
Proof.
  intros Hchk Hfit Hb Hp Hw. pose proof (check_graph_sound g Hchk) as Hwf.
  pose proof (wf_graph_good g Hwf) as Hgood.
  pose proof Hwf as (Hnd & Hsv & Hpnd & Hpin & Hwfn & Hcnd & Hcs).
  destruct (lin_walk_sound a b g (g_nodes g) (input_senv g) (box_tags g boxes) []
              (fun t (_ : list R) => input_curve inputs p j t) 0%nat [] Hwfn Hgood
              (box_tags_hold a b g boxes inputs p j Hwf Hfit Hb Hp)) as [ae' Hall];
    [intros r Hr; discriminate|exact Hw|].
  destruct (fold_costs_sg a b (tag_good a b) (sg_add a b) g _ _ _ (g_costs g) Hall)
    with (A := fun (_ : R) (_ : list R) => 0) (c0 := 0) as [c [Hc [du Hdu]]].
  - intros x Hx. apply in_app_iff.
    destruct (costs_covered g Hwf x Hx); auto.
  - lra.
  - apply sg_const.
  - unfold is_gintegrable, can_differentiate_under_integrals.
    rewrite (pgraph_std g inputs p j (lin_walk_std _ _ _ Hw)).
    exact (@StdNormalPre.std_draws_pre _ (cost_of g) _ (n_draws (g_nodes g)) a b c du Hc Hdu).
Qed.

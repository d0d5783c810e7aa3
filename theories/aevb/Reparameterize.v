(** * Reparameterization preserves the expected cost

    [reparameterize z eps g] (Transform.v) replaces the node
    [z ~ mvn(mu, sigma)] of [g] by the two nodes [eps ~ mvn_std] (of [z]'s
    shape, [eps] a new name) and [z = mul_add(sigma, eps, mu)], i.e.
    [z = sigma * eps + mu] entrywise.  For a graph [g] accepted by the
    checker, its result [g'], inputs of the declared sizes, and every run
    of [g] within the operators' domains ([run_domains]):

      E_{g'}[sum of costs] = E_g[sum of costs], and the cost is
      [dintegrable] under [g'] iff it is under [g]

    ([reparameterize_expected_cost]); the same at every input of an
    interval on which [reachable_domains] holds
    ([reparameterize_preserves]); and [g'] passes the checker
    ([reparameterize_check]).

    The one-dimensional change of variables [x = s e + m] (for [s > 0]),

      int N(x; m, s^2) h(x) dx = int N(e; 0, 1) h(s e + m) de,

    and the same for integrability, are AffineChange.v's
    [Lint_gauss_affine] and [Lintegrable_gauss_affine].

    Route (the run tools are DistRel.v's).  Both runs are split at [z]
    ([run_nodes_app]).  Before [z] the two graphs run the same nodes with
    shape environments that agree on every name but [eps], so the runs
    are related: their environments agree outside [eps]
    ([run_nodes_agree]); on every such run [mu] and [sigma] have [z]'s
    number [n] of entries and [sigma > 0] (mvn's domain, from
    [run_domains]).  At [z], one entry at a time, the change of variables
    turns the draw [x_k ~ N(mu_k, sigma_k^2)] into [e_k ~ N(0, 1)] with
    [x_k = sigma_k e_k + mu_k] ([draw_list_gauss_affine]), which is the
    value [mul_add(sigma, e, mu)] that [g'] gives [z].  After [z] the runs
    are related again: [g'] has the extra binding [eps], which no later
    node reads; the costs look only at the values, not at the draws.

    [reparameterize_spec] describes the result: [g]'s nodes are
    [pre ++ z ~ mvn(mu, sigma) :: post], [g']'s are
    [pre ++ eps ~ mvn_std :: z = mul_add(sigma, eps, mu) :: post], with the
    same inputs, parameters and costs, and [eps] is no name of [g].  For
    the checker: [check_node_ok] (what [check_node] accepts),
    [check_nodes_app], and [check_nodes_extra] / [check_costs_extra] (a
    shape environment with one more name that no node defines checks
    alike). *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Lia Lra.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed WellFormedSound GraphFacts.
From Certigrad Require Import ListSums Stochastic StochasticPre RunFacts Unbiased Transform.
From Certigrad Require Import DistRel.
From Certigrad Require AffineChange.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * What [reparameterize] does *)

Lemma split_at_spec {T : Type} (x : string) (ns : list (node T)) :
  forall pre m post, split_at x ns = Some (pre, m, post) -> ns = pre ++ m :: post /\ node_name m = x.
Proof.
  induction ns as [|n ns IH]; intros pre m post H; simpl in H; [discriminate|].
  destruct (String.eqb_spec (node_name n) x) as [Hx|_].
  - injection H as <- <- <-. auto.
  - destruct (split_at x ns) as [[[pre' m'] post']|]; [|discriminate].
    injection H as <- <- <-. destruct (IH pre' m' post' eq_refl) as [-> Hm]. auto.
Qed.

Lemma reparameterize_spec {T : Type} (z eps : string) (g g' : graph T) :
  reparameterize z eps g = Ok g' ->
  exists pre r mu sigma post,
    g_nodes g = pre ++ NRand r Mvn [mu; sigma] :: post /\ ref_name r = z /\
    g' = with_nodes g (pre ++ NRand (mk_ref eps (ref_shape r)) MvnStd []
                           :: NDet r MulAdd [sigma; eps; mu] :: post) /\
    ~ In eps (map ref_name (all_refs g)).
Proof.
  unfold reparameterize.
  destruct (mem eps (map ref_name (all_refs g))) eqn:Hm; [discriminate|].
  destruct (split_at z (g_nodes g)) as [[[pre m] post]|] eqn:Hs; [|discriminate].
  destruct m as [r o ps|r o ps]; [discriminate|]. destruct o; [|discriminate].
  destruct ps as [|mu [|sigma [|]]]; try discriminate.
  intros [= <-]. apply split_at_spec in Hs as [Hns Hz].
  exists pre, r, mu, sigma, post. repeat split; auto. now apply mem_false.
Qed.

Lemma names_shape_env {T : Type} (g : graph T) : map fst (shape_env g) = map ref_name (all_refs g).
Proof. unfold shape_env. rewrite map_map. reflexivity. Qed.

(** The shape environment of the result is that of [g] with [eps] added
    (just before [z]). *)
Lemma reparam_shape_env_lookup {T : Type} (g : graph T) (pre post : list (node T)) (r : reference)
    (mu sigma eps k : string) :
  g_nodes g = pre ++ NRand r Mvn [mu; sigma] :: post -> k <> eps ->
  lookup (shape_env (with_nodes g (pre ++ NRand (mk_ref eps (ref_shape r)) MvnStd []
                                       :: NDet r MulAdd [sigma; eps; mu] :: post))) k =
  lookup (shape_env g) k.
Proof.
  intros Hns Hk. unfold shape_env, all_refs, with_nodes. cbn [g_inputs g_nodes]. rewrite Hns.
  rewrite !map_app. cbn [map node_ref ref_name ref_shape].
  rewrite !app_assoc, lookup_app_cons_neq by exact Hk. reflexivity.
Qed.

(** * The checker on the result *)

Lemma shape_eqb_refl (s : shape) : shape_eqb s s = true.
Proof. unfold shape_eqb. destruct (list_eq_dec Nat.eq_dec s s); [reflexivity|contradiction]. Qed.

Lemma first_undefined_all (se : senv) (ps : list string) :
  Forall (fun p => In p (map fst se)) ps -> first_undefined se ps = None.
Proof.
  induction 1 as [|p ps Hp _ IH]; simpl; [reflexivity|].
  apply mem_true in Hp. rewrite Hp. exact IH.
Qed.

Lemma check_node_ok {T : Type} (se : senv) (n : node T) :
  check_node se n = CheckOk <->
  ~ In (node_name n) (map fst se) /\ shape_valid (node_shape n) = true /\
  first_undefined se (node_parents n) = None /\
  op_out_shape (node_op n) (node_shape n) (parent_shapes se (node_parents n)) = Some (node_shape n).
Proof.
  unfold check_node, op_out_shape. cbv zeta. split.
  - destruct (mem (node_name n) (map fst se)) eqn:Hm; [discriminate|].
    destruct (shape_valid (node_shape n)); simpl; [|discriminate].
    destruct (first_undefined se (node_parents n)); [discriminate|].
    destruct (op_out_shape_res (node_op n) (node_shape n) (parent_shapes se (node_parents n)))
      as [s|]; [|discriminate].
    destruct (shape_eqb s (node_shape n)) eqn:He; [|discriminate].
    apply shape_eqb_true in He. subst s. intros _. apply mem_false in Hm. auto.
  - intros (Hm & Hs & Hu & Ho). apply mem_false in Hm. rewrite Hm, Hs, Hu. simpl.
    destruct (op_out_shape_res (node_op n) (node_shape n) (parent_shapes se (node_parents n)));
      [|discriminate].
    injection Ho as ->. now rewrite shape_eqb_refl.
Qed.

Lemma check_nodes_app {T : Type} (se : senv) (ns1 ns2 : list (node T)) :
  check_nodes se (ns1 ++ ns2) =
  check_then (check_nodes se ns1) (fun _ => check_nodes (rev (map node_entry ns1) ++ se) ns2).
Proof.
  revert se; induction ns1 as [|n ns1 IH]; intros se; simpl; [reflexivity|].
  destruct (check_node se n); simpl; [|reflexivity].
  rewrite IH, <- app_assoc. reflexivity.
Qed.

Lemma in_rev_entries {T : Type} (se : senv) (ns : list (node T)) (k : string) :
  In k (map fst (rev (map node_entry ns) ++ se)) <-> In k (map fst se) \/ In k (map node_name ns).
Proof.
  rewrite map_app, map_rev, map_map, in_app_iff, <- in_rev.
  change (map (fun x => fst (node_entry x)) ns) with (map node_name ns). tauto.
Qed.

(** A shape environment with one more name [eps], that no node of [ns]
    defines, checks the nodes as well. *)
Section ExtraName.
Context {T : Type}.
Variables (eps : string).

Lemma check_node_extra (se1 se2 : senv) (n : node T) :
  (forall k, k <> eps -> lookup se2 k = lookup se1 k) -> ~ In eps (map fst se1) ->
  node_name n <> eps -> check_node se1 n = CheckOk -> check_node se2 n = CheckOk.
Proof.
  rewrite !check_node_ok. intros Hl He Hn (Hm & Hs & Hu & Ho).
  assert (Hin : forall k, k <> eps -> In k (map fst se2) <-> In k (map fst se1)).
  { intros k Hk. split; intros H.
    - destruct (lookup_exists se2 k H) as [a Ha]. rewrite Hl in Ha by exact Hk.
      eapply lookup_in_fst; exact Ha.
    - destruct (lookup_exists se1 k H) as [a Ha]. rewrite <- Hl in Ha by exact Hk.
      eapply lookup_in_fst; exact Ha. }
  apply first_undefined_none in Hu. rewrite Forall_forall in Hu.
  assert (Hne : forall p, In p (node_parents n) -> p <> eps)
    by (intros p Hp ->; apply He, Hu, Hp).
  repeat split.
  - rewrite Hin by exact Hn. exact Hm.
  - exact Hs.
  - apply first_undefined_all. rewrite Forall_forall. intros p Hp.
    apply Hin; [apply Hne, Hp|apply Hu, Hp].
  - replace (parent_shapes se2 (node_parents n)) with (parent_shapes se1 (node_parents n));
      [exact Ho|].
    apply map_ext_in. intros p Hp. unfold find_shape. now rewrite (Hl p (Hne p Hp)).
Qed.

Lemma check_nodes_extra (ns : list (node T)) :
  forall se1 se2 : senv,
  (forall k, k <> eps -> lookup se2 k = lookup se1 k) -> ~ In eps (map fst se1) ->
  ~ In eps (map node_name ns) -> check_nodes se1 ns = CheckOk -> check_nodes se2 ns = CheckOk.
Proof.
  induction ns as [|n ns IH]; intros se1 se2 Hl He Hns H; simpl in *; [reflexivity|].
  apply check_then_ok in H as [Hn Hrest].
  rewrite (check_node_extra se1 se2 n Hl He) by (exact Hn || (intros E; apply Hns; now left)).
  simpl. apply (IH ((node_name n, node_shape n) :: se1)); [| |tauto|exact Hrest].
  - intros k Hk. simpl. destruct (String.eqb k (node_name n)); [reflexivity|auto].
  - simpl. intros [E|E]; [apply Hns; now left|exact (He E)].
Qed.

Lemma check_costs_extra (se1 se2 : senv) (cs : list string) :
  forall seen,
  (forall k, k <> eps -> lookup se2 k = lookup se1 k) -> ~ In eps (map fst se1) ->
  check_costs se1 seen cs = CheckOk -> check_costs se2 seen cs = CheckOk.
Proof.
  induction cs as [|c cs IH]; intros seen Hl He H; simpl in *; [reflexivity|].
  destruct (lookup se1 c) as [s|] eqn:Hc; [|discriminate].
  rewrite Hl by (intros ->; apply He; eapply lookup_in_fst; exact Hc). rewrite Hc.
  destruct (negb (shape_eqb s [])); [discriminate|].
  destruct (mem c seen); [discriminate|]. apply IH; assumption.
Qed.

End ExtraName.

Lemma reparameterize_check {T : Type} (z eps : string) (g g' : graph T) :
  check_graph g = CheckOk -> reparameterize z eps g = Ok g' -> check_graph g' = CheckOk.
Proof.
  intros Hchk Hrep.
  destruct (reparameterize_spec z eps g g' Hrep) as (pre & r & mu & sigma & post & Hns & _ & -> & Hfresh).
  unfold check_graph in *.
  apply check_then_ok in Hchk as [Hi Hchk]. apply check_then_ok in Hchk as [Hp Hchk].
  apply check_then_ok in Hchk as [Hn Hc].
  change (input_senv (with_nodes g (pre ++ NRand (mk_ref eps (ref_shape r)) MvnStd []
                                        :: NDet r MulAdd [sigma; eps; mu] :: post)))
    with (input_senv g).
  cbn [with_nodes g_inputs g_params g_nodes g_costs input_names]. rewrite Hi. simpl.
  change (input_names (with_nodes g (pre ++ NRand (mk_ref eps (ref_shape r)) MvnStd []
                                        :: NDet r MulAdd [sigma; eps; mu] :: post)))
    with (input_names g).
  rewrite Hp. simpl.
  (* the names of [g], none of them [eps] *)
  rewrite <- names_shape_env, shape_env_names, <- input_senv_names, Hns, map_app in Hfresh.
  simpl in Hfresh. rewrite !in_app_iff in Hfresh. simpl in Hfresh.
  rewrite Hns in Hn. rewrite check_nodes_app in Hn |- *. apply check_then_ok in Hn as [Hpre Hrest].
  rewrite Hpre. simpl.
  set (se1 := rev (map node_entry pre) ++ input_senv g) in *.
  assert (Hse1 : ~ In eps (map fst se1)) by (unfold se1; rewrite in_rev_entries; tauto).
  simpl in Hrest. apply check_then_ok in Hrest as [Hz Hpost].
  apply check_node_ok in Hz as (Hz & Hs & Hu & Ho).
  apply first_undefined_none in Hu. inversion Hu as [|? ? Hmu Hu']; subst.
  inversion Hu' as [|? ? Hsig _]; subst.
  apply mvn_shape in Ho. simpl in Ho. injection Ho as Hsmu Hssig.
  assert (Hmu_eps : mu <> eps) by (intros ->; contradiction).
  assert (Hsig_eps : sigma <> eps) by (intros ->; contradiction).
  assert (Hz_eps : ref_name r <> eps) by (intros E; apply Hfresh; tauto).
  (* [eps ~ mvn_std], then [z = mul_add(sigma, eps, mu)] *)
  simpl. rewrite (proj2 (check_node_ok se1 (NRand (mk_ref eps (ref_shape r)) MvnStd []))).
  2:{ split; [exact Hse1|split; [exact Hs|split; reflexivity]]. }
  simpl. rewrite (proj2 (check_node_ok ((eps, ref_shape r) :: se1) (NDet r MulAdd [sigma; eps; mu]))).
  2:{ cbn [node_name node_shape node_op node_parents node_ref ref_name ref_shape].
      split; [|split; [|split]].
      - simpl. intros [E|E]; [exact (Hz_eps (eq_sym E))|exact (Hz E)].
      - exact Hs.
      - apply first_undefined_all.
        constructor; [right; exact Hsig|].
        constructor; [left; reflexivity|].
        constructor; [right; exact Hmu|constructor].
      - assert (Hfs : forall k, k <> eps ->
                  find_shape ((eps, ref_shape r) :: se1) k = find_shape se1 k)
          by (intros k Hk; unfold find_shape; now rewrite lookup_cons_neq).
        assert (Hfe : find_shape ((eps, ref_shape r) :: se1) eps = ref_shape r)
          by (unfold find_shape; simpl; now rewrite String.eqb_refl).
        unfold parent_shapes. cbn [map]. rewrite Hfe, !Hfs by assumption.
        unfold parent_shapes in Hsmu, Hssig. rewrite Hsmu, Hssig.
        unfold op_out_shape. cbn -[shape_eqb].
        repeat (rewrite shape_eqb_refl; cbn -[shape_eqb]). reflexivity. }
  simpl.
  rewrite (check_nodes_extra eps post ((ref_name r, ref_shape r) :: se1)); [| | | |exact Hpost].
  (* the costs *)
  - simpl. apply (check_costs_extra eps (shape_env g)); [| |exact Hc].
    + intros k Hk. apply (reparam_shape_env_lookup g pre post r mu sigma eps k Hns Hk).
    + rewrite shape_env_names, <- input_senv_names, Hns, map_app. simpl.
      rewrite !in_app_iff. simpl. tauto.
  - intros k Hk. unfold node_name, node_shape. simpl.
    destruct (String.eqb k (ref_name r)); [reflexivity|].
    rewrite (proj2 (String.eqb_neq _ _) Hk). reflexivity.
  - simpl. intros [E|E]; [exact (Hz_eps E)|exact (Hse1 E)].
  - intros E. apply Hfresh. tauto.
Qed.

(** * The densities of the two draws *)

Lemma map_seq_nth2 {X : Type} (f : R -> R -> X) (ms ss : list R) :
  length ms = length ss ->
  map (fun k => f (nth k ms 0) (nth k ss 0)) (seq 0 (length ms)) =
  map (fun p => f (fst p) (snd p)) (combine ms ss).
Proof.
  revert ss; induction ms as [|m ms IH]; intros [|s ss] Hl; simpl in *; try discriminate;
    [reflexivity|].
  injection Hl as Hl. f_equal. rewrite <- seq_shift, map_map. apply IH, Hl.
Qed.

(** Entry [k] of an [mvn] draw of parents [mus], [sgs] is N(mu_k, sigma_k^2). *)
Lemma rand_dens_mvn (mus sgs : list R) (n : nat) :
  length mus = n -> length sgs = n ->
  rand_dens Mvn [mus; sgs] n = map (fun p => gauss_pdf (fst p) (snd p)) (combine mus sgs).
Proof.
  intros Hm Hs. unfold rand_dens, entry_dens. simpl. rewrite <- Hm.
  apply (map_seq_nth2 gauss_pdf). congruence.
Qed.

Lemma rand_dens_std (n : nat) : rand_dens MvnStd [] n = repeat (gauss_pdf 0 1) n.
Proof.
  unfold rand_dens. generalize 0%nat. induction n as [|n IH]; intros m; simpl; [reflexivity|].
  f_equal. apply IH.
Qed.

(** [mul_add(sigma, eps, mu)]: [sigma_k * eps_k + mu_k]. *)
Lemma mul_add_forward (ss : list shape) (sgs es mus : list R) :
  dop_forward R_ops MulAdd ss [sgs; es; mus] = map3 (fun s e m => s * e + m) sgs es mus.
Proof. reflexivity. Qed.

(** * The theorem, from the change of variables (AffineChange.v) *)

(** Drawing [x_k ~ N(m_k, s_k^2)] one entry at a time is drawing
    [e_k ~ N(0, 1)] and taking [x_k = s_k e_k + m_k]. *)
Lemma draw_list_gauss_affine {A B : Type} (F1 : A -> R) (F2 : B -> R) (ms ss : list R)
    (K1 : list R -> dist A) (K2 : list R -> dist B) :
  length ms = length ss -> Forall (fun s => 0 < s) ss ->
  (forall es, length es = length ss ->
     dist_equiv F1 F2 (K1 (map3 (fun s e m => s * e + m) ss es ms)) (K2 es)) ->
  dist_equiv F1 F2 (draw_list (map (fun p => gauss_pdf (fst p) (snd p)) (combine ms ss)) K1)
                   (draw_list (repeat (gauss_pdf 0 1) (length ss)) K2).
Proof.
  revert ms K1 K2. induction ss as [|s ss IH]; intros [|m ms] K1 K2 Hl Hpos HK;
    simpl in Hl; try discriminate.
  - apply (HK []). reflexivity.
  - injection Hl as Hl. inversion Hpos as [|? ? Hs Hpos']; subst.
    pose (inner1 := fun x => draw_list (map (fun p => gauss_pdf (fst p) (snd p)) (combine ms ss))
                               (fun xs => K1 (x :: xs))).
    pose (inner2 := fun e => draw_list (repeat (gauss_pdf 0 1) (length ss))
                               (fun es => K2 (e :: es))).
    (* the rest of the draws, after the first entry [s e + m] and [e] *)
    assert (Hstep : forall e, dist_equiv F1 F2 (inner1 (s * e + m)) (inner2 e)).
    { intros e. apply IH; [exact Hl|exact Hpos'|]. intros es Hes.
      apply (HK (e :: es)). simpl. lia. }
    assert (HL : Lintegrable (fun x => gauss_pdf m s x * expect F1 (inner1 x)) <->
                 Lintegrable (fun e => gauss_pdf 0 1 e * expect F2 (inner2 e))).
    { rewrite (AffineChange.Lintegrable_gauss_affine m s (fun x => expect F1 (inner1 x)) Hs).
      apply Lintegrable_ext. intros e. rewrite (proj1 (Hstep e)). reflexivity. }
    (* [e |-> s e + m] is onto *)
    assert (HI : (forall x, dintegrable F1 (inner1 x)) <-> (forall e, dintegrable F2 (inner2 e))).
    { split; intros H x.
      - apply (proj2 (Hstep x)), H.
      - replace x with (s * ((x - m) / s) + m) by (field; lra).
        apply (proj2 (Hstep _)), H. }
    split; simpl.
    + transitivity (Lint (fun e => gauss_pdf 0 1 e * expect F1 (inner1 (s * e + m)))).
      { exact (AffineChange.Lint_gauss_affine m s (fun x => expect F1 (inner1 x)) Hs). }
      apply Lint_ext. intros e. rewrite (proj1 (Hstep e)). reflexivity.
    + split; intros [H1 H2]; split; [apply HL, H1|apply HI, H2|apply HL, H1|apply HI, H2].
Qed.

(** The [mvn] draw of node [z], against the [mvn_std] draw of [eps]
    followed by [mul_add]. *)
Lemma mvn_std_draws {A B : Type} (F1 : A -> R) (F2 : B -> R) (mus sgs : list R) (n : nat)
    (K1 : list R -> dist A) (K2 : list R -> dist B) :
  length mus = n -> length sgs = n -> Forall (fun s => 0 < s) sgs ->
  (forall es, length es = n ->
     dist_equiv F1 F2 (K1 (map3 (fun s e m => s * e + m) sgs es mus)) (K2 es)) ->
  dist_equiv F1 F2 (draw_list (rand_dens Mvn [mus; sgs] n) K1)
                   (draw_list (rand_dens MvnStd [] n) K2).
Proof.
  intros Hm Hs Hpos HK. rewrite rand_dens_mvn, rand_dens_std by assumption. rewrite <- Hs.
  apply draw_list_gauss_affine; [congruence|exact Hpos|]. intros es Hes. apply HK. congruence.
Qed.

Theorem reparameterize_expected_cost (z eps : string) (g g' : graph R) (inputs : env R) :
  check_graph g = CheckOk -> reparameterize z eps g = Ok g' -> inputs_fit g inputs ->
  run_domains g inputs ->
  expected_cost g' inputs = expected_cost g inputs /\
  (dintegrable (cost_of g') (graph_dist g' inputs) <-> dintegrable (cost_of g) (graph_dist g inputs)).
Proof.
  intros Hchk Hrep Hfit Hdom.
  destruct (reparameterize_spec z eps g g' Hrep) as (pre & r & mu & sigma & post & Hns & _ & -> & Hfresh).
  clear Hrep.
  set (ne := NRand (mk_ref eps (ref_shape r)) MvnStd [] : node R).
  set (nz' := NDet r MulAdd [sigma; eps; mu] : node R).
  set (g' := with_nodes g (pre ++ ne :: nz' :: post)).
  assert (Hequiv : dist_equiv (cost_of g) (cost_of g) (graph_dist g inputs) (graph_dist g' inputs)).
  2:{ destruct Hequiv as [He Hi]. split; [symmetry; exact He|exact (iff_sym Hi)]. }
  pose proof (check_graph_sound g Hchk) as Hwf.
  set (se := shape_env g). set (se' := shape_env g').
  set (n := shape_size (ref_shape r)).
  (* the names of [g]; [eps] is none of them *)
  assert (Heps : ~ In eps (map fst se)) by (unfold se; rewrite names_shape_env; exact Hfresh).
  assert (Hshape : forall k, k <> eps -> find_shape se' k = find_shape se k).
  { intros k Hk. unfold find_shape, se', se, g', ne, nz'.
    now rewrite (reparam_shape_env_lookup g pre post r mu sigma eps k Hns Hk). }
  (* every node of [g] neither reads nor defines [eps] *)
  pose proof (wf_graph_good g Hwf) as Hgood. rewrite Hns in Hgood.
  apply Forall_app in Hgood as [Hgpre Hgrest].
  inversion Hgrest as [|? ? Hgz Hgpost]; subst.
  assert (Hagree : forall ns, Forall (good_node g) ns ->
            Forall (fun m => ~ In (node_name m) [eps] /\
                     forall p, In p (node_parents m) -> ~ In p [eps] /\ find_shape se p = find_shape se' p)
              ns).
  { intros ns Hg. eapply Forall_impl; [|exact Hg]. intros m (Hm & _ & Hps & _).
    assert (Hne : forall k, In k (map fst se) -> ~ In k [eps])
      by (intros k Hk [<-|[]]; contradiction).
    split; [apply Hne, Hm|]. intros p Hp. split; [apply Hne, Hps, Hp|].
    symmetry. apply Hshape. intros ->. apply Heps, Hps, Hp. }
  (* [mu] and [sigma]: names of [g], with [z]'s shape, defined before [z] *)
  destruct Hgz as (_ & _ & Hmusig & Hout).
  unfold node_op, node_shape, node_parents, node_ref in Hmusig, Hout.
  apply mvn_shape in Hout. simpl in Hout. injection Hout as Hsmu Hssig.
  assert (Hmu_eps : mu <> eps) by (intros ->; apply Heps, Hmusig; simpl; tauto).
  assert (Hsig_eps : sigma <> eps) by (intros ->; apply Heps, Hmusig; simpl; tauto).
  assert (Hcheck := Hchk). unfold check_graph in Hcheck.
  apply check_then_ok in Hcheck as [_ Hcheck]. apply check_then_ok in Hcheck as [_ Hcheck].
  apply check_then_ok in Hcheck as [Hnodes _].
  rewrite Hns, check_nodes_app in Hnodes. apply check_then_ok in Hnodes as [Hpre Hrest].
  simpl in Hrest. apply check_then_ok in Hrest as [Hz _].
  apply check_node_ok in Hz as (_ & _ & Hu & _). apply first_undefined_none in Hu.
  rewrite Forall_forall in Hu.
  assert (Hdef : forall p, In p [mu; sigma] -> In p (map fst (input_senv g) ++ map node_name pre)).
  { intros p Hp. apply in_app_iff, in_rev_entries, Hu, Hp. }
  unfold run_domains in Hdom. rewrite Hns in Hdom.
  (* the two runs, split at [z] *)
  unfold graph_dist. change (g_nodes g') with (pre ++ ne :: nz' :: post). fold se se'.
  rewrite Hns, !run_nodes_app.
  apply (dist_bind_equiv (fun a b => env_agree [eps] (fst a) (fst b) /\
                            length (find_val (fst a) mu) = n /\ length (find_val (fst a) sigma) = n /\
                            Forall (fun s => 0 < s) (find_val (fst a) sigma))).
  - (* before [z]: related runs; on each, the sizes and the domain of [z] *)
    apply (dist_rel_all (fun a b => env_agree [eps] (fst a) (fst b))).
    { apply run_nodes_agree; [apply Hagree, Hgpre|apply env_agree_refl]. }
    eapply dist_all_impl;
      [|apply dist_all_and;
        [apply (run_nodes_sized g pre (input_senv g)); [apply check_nodes_sound, Hpre|exact Hgpre|]
        |apply (domains_on_run se 0 1 pre (NRand r Mvn [mu; sigma] :: post)), Hdom]].
    2:{ apply (input_values_sized g inputs Hwf Hfit). }
    intros [v d] [Hsz Hd]. simpl in Hsz |- *.
    apply domains_on_first in Hd; [|lra]. simpl in Hd.
    repeat split.
    + rewrite Hsz by (apply Hdef; simpl; tauto). exact (f_equal shape_size Hsmu).
    + rewrite Hsz by (apply Hdef; simpl; tauto). exact (f_equal shape_size Hssig).
    + exact Hd.
  - (* at [z]: the change of variables; after [z]: related runs *)
    intros [v1 d1] [v2 d2] (Hv & Hlmu & Hlsig & Hpos). simpl in Hv, Hlmu, Hlsig, Hpos.
    change (dist_equiv (cost_of g) (cost_of g)
      (draw_list (rand_dens Mvn [find_val v1 mu; find_val v1 sigma] n)
         (fun x => run_nodes se post ((ref_name r, x) :: v1) ((ref_name r, x) :: d1)))
      (draw_list (rand_dens MvnStd [] n)
         (fun e => run_nodes se' post
            ((ref_name r, dop_forward R_ops MulAdd (parent_shapes se' [sigma; eps; mu])
                            [find_val ((eps, e) :: v2) sigma; find_val ((eps, e) :: v2) eps;
                             find_val ((eps, e) :: v2) mu]) :: (eps, e) :: v2)
            ((eps, e) :: d2)))).
    apply mvn_std_draws; [exact Hlmu|exact Hlsig|exact Hpos|]. intros es _.
    rewrite find_val_cons_eq, !find_val_cons_neq by assumption.
    rewrite mul_add_forward, <- (Hv sigma), <- (Hv mu) by (intros [E|[]]; congruence).
    apply (dist_rel_equiv (fun a b => env_agree [eps] (fst a) (fst b))).
    + intros a b Hab. apply (total_cost_agree [eps]); [|exact Hab].
      pose proof (wf_graph_costs g Hwf) as Hc. rewrite Forall_forall in Hc.
      intros c Hcin [E|[]]. apply Heps. rewrite E. apply (Hc c Hcin).
    + apply run_nodes_agree; [apply Hagree, Hgpost|].
      apply env_agree_cons, env_agree_cons_r; [now left|exact Hv].
Qed.

(** At every input of an interval on which [reachable_domains] holds. *)
Corollary reparameterize_preserves (z eps : string) (g g' : graph R) (inputs : env R) (p : string)
    (j : nat) (a b : R) :
  check_graph g = CheckOk -> reparameterize z eps g = Ok g' -> inputs_fit g inputs ->
  reachable_domains g inputs p j a b ->
  forall t, a < t < b ->
    expected_cost g' (set_input_entry inputs p j t) = expected_cost g (set_input_entry inputs p j t) /\
    (dintegrable (cost_of g') (graph_dist g' (set_input_entry inputs p j t)) <->
     dintegrable (cost_of g) (graph_dist g (set_input_entry inputs p j t))).
Proof.
  intros Hchk Hrep Hfit Hdom t Ht. apply (reparameterize_expected_cost z eps); auto.
  - apply inputs_fit_set_input_entry, Hfit.
  - apply (reachable_domains_at g inputs p j a b t Hdom Ht).
Qed.


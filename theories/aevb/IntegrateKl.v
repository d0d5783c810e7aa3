(** * [integrate_kl] preserves the expected cost

    Transform.v's [integrate_kl kl g] replaces the node
    [kl = mvn_empirical_kl(mu, sigma, z)] (a cost read by no node, [z] an
    earlier node drawn from [mvn(mu, sigma)]) by [kl = mvn_kl(mu, sigma)].
    Per entry [i], with [x = z_i ~ N(mu_i, sigma_i^2)],
      E[(x^2 - ((x - mu_i) / sigma_i)^2) / 2 - ln sigma_i]
        = (mu_i^2 + sigma_i^2 - 1) / 2 - ln sigma_i,
    from mass 1, E[x^2] = sigma_i^2 + mu_i^2 and E[(x - mu_i)^2] = sigma_i^2
    (GaussianBridge.v); so the expected cost does not change.

    Main results:
    - [integrate_kl_spec]: the shape of a successful rewrite: [g]'s nodes are
      [pre ++ z ~ mvn(mu, sigma) :: mid ++ kl = mvn_empirical_kl(mu, sigma, z)
      :: post], those of the result the same with [kl = mvn_kl(mu, sigma)];
      [kl] is a cost and no node's parent.
    - [integrate_kl_expected_cost]: for a graph accepted by the checker,
      inputs of their sizes, operator domains on every run and the
      integrability of the cost at every draw ([dintegrable], RunFacts.v),
      [expected_cost g' inputs = expected_cost g inputs];
      [integrate_kl_preserves]: the same at every input of an interval on
      which the family preconditions of StochasticPre.v hold.
    - [integrate_kl_check], [integrate_kl_domains]: the result is accepted
      by the checker, and its operator domains hold on every run.

    Route.  Let [P = pre ++ z :: mid].  Both runs are the run of [P]
    followed by the run of [kl :: post] (DistRel.v's [run_nodes_app]); let
    [gap] be the source value of [kl] minus the target one at the end of
    [P] ([kl_gap]).
    - [kl_post_gap]: from a leaf of [P], E[cost | source] = E[cost | target]
      + gap: the two runs of [post] differ only in the value of [kl], which
      no node reads ([run_nodes_set_val]), the cost counts [kl] once, and
      the run of [post] is normalized ([expect_plus_const]).
    - [kl_gap_mean_zero]: from a leaf of [pre], the run of [z :: mid] gives
      [gap] expectation 0 and is integrable: [gap] is the sum over the
      entries of [z] of [kl_term] (the names mu, sigma, z are not redefined
      in [mid]), the run of [mid] is normalized, and [gauss_draws_kl] adds
      up the one-dimensional facts [gauss_kl_term].
    - Then E[cost | source] = E[E[cost | target] + gap] over [P] = E[cost |
      target] + E[gap] by linearity ([expect_plus], DistLinear.v), and
      E[gap] = 0 over [P]. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Lia Lra FunctionalExtensionality.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed WellFormedSound GraphFacts.
From Certigrad Require Import Stochastic StochasticPre RunFacts Unbiased ListSums GaussianBridge.
From Certigrad Require Import Transform DistRel DistLinear.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * The shape of a successful rewrite *)

Lemma split_at_spec {T : Type} (x : string) (ns : list (node T)) :
  forall pre m post, split_at x ns = Some (pre, m, post) -> ns = pre ++ m :: post /\ node_name m = x.
Proof.
  induction ns as [|n ns IH]; intros pre m post; simpl; [discriminate|].
  destruct (String.eqb_spec (node_name n) x) as [Hx|Hx].
  - intros [= <- <- <-]. auto.
  - destruct (split_at x ns) as [[[pre' m'] post']|] eqn:Hs; [|discriminate].
    intros [= <- <- <-]. destruct (IH pre' m' post' eq_refl) as [-> Hm]. auto.
Qed.

Lemma first_user_none {T : Type} (x : string) (ns : list (node T)) :
  first_user x ns = None -> forall n, In n ns -> ~ In x (node_parents n).
Proof. unfold first_user. intros H n Hn. apply mem_false. exact (find_none _ _ H n Hn). Qed.

Ltac bad_result := let H := fresh in intros H; discriminate H.

Theorem integrate_kl_spec (kl : string) (g g' : graph R) :
  integrate_kl kl g = Ok g' ->
  exists pre rz mu sigma mid r post,
    g_nodes g = pre ++ NRand rz Mvn [mu; sigma]
                    :: mid ++ NDet r MvnEmpiricalKl [mu; sigma; ref_name rz] :: post /\
    g' = with_nodes g (pre ++ NRand rz Mvn [mu; sigma] :: mid ++ NDet r MvnKl [mu; sigma] :: post) /\
    ref_name r = kl /\ In kl (g_costs g) /\
    (forall n, In n (g_nodes g) -> ~ In kl (node_parents n)).
Proof.
  unfold integrate_kl.
  destruct (split_at kl (g_nodes g)) as [[[pre m] post]|] eqn:Hs; [|bad_result].
  destruct m as [r o ps|r o ps]; [|bad_result].
  destruct o; try bad_result.
  destruct ps as [|mu [|sigma [|z [|]]]]; try bad_result.
  destruct (split_at z pre) as [[[pre1 m] mid]|] eqn:Hz; [|bad_result].
  destruct m as [rz o ps|rz o ps]; [bad_result|].
  destruct o; [|bad_result].
  destruct ps as [|mu' [|sigma' [|]]]; try bad_result.
  destruct (String.eqb_spec mu mu') as [<-|]; [|bad_result].
  destruct (String.eqb_spec sigma sigma') as [<-|]; [|bad_result].
  destruct (mem kl (g_costs g)) eqn:Hc; [|bad_result].
  destruct (first_user kl (g_nodes g)) eqn:Hf; [bad_result|].
  intros [= <-].
  apply split_at_spec in Hs as [Hs Hr]. apply split_at_spec in Hz as [Hz Hrz].
  unfold node_name in Hr, Hrz. simpl in Hr, Hrz. subst kl z.
  exists pre1, rz, mu, sigma, mid, r, post.
  split; [rewrite Hs, Hz, <- app_assoc; reflexivity|].
  split; [rewrite Hz, <- app_assoc; reflexivity|].
  split; [reflexivity|]. split; [now apply mem_true|now apply first_user_none].
Qed.

(** * One entry: the Gaussian expectation of the empirical KL *)

(** Entry [x] of the empirical KL minus the entry of the KL, for the mean
    [m] and the standard deviation [s]. *)
Definition kl_term (m s x : R) : R :=
  ((x * x - (x - m) / s * ((x - m) / s)) / (1 + 1) - ln s)
  - ((m * m + s * s - 1) / (1 + 1) - ln s).

(** [E[c + kl_term m s x] = c] for [x ~ N(m, s^2)]: the integrand is
    [c0 * dens + dens * x^2 / 2 - dens * (x - m)^2 / (2 s^2)]. *)
Lemma gauss_kl_term (m s c : R) : 0 < s ->
  Lintegrable (fun x => gauss_pdf m s x * (c + kl_term m s x)) /\
  Lint (fun x => gauss_pdf m s x * (c + kl_term m s x)) = c.
Proof.
  intros Hs.
  set (c0 := c - (m * m + s * s - 1) / 2).
  set (k2 := - / (2 * (s * s))).
  set (f1 := fun x => gauss_pdf m s x * c0 + / 2 * (gauss_pdf m s x * (x * x))).
  set (f2 := fun x => gauss_pdf m s x * ((x - m) * (x - m))).
  assert (Hpt : forall x, f1 x + k2 * f2 x = gauss_pdf m s x * (c + kl_term m s x)).
  { intros x. unfold f1, f2, kl_term, c0, k2. field. lra. }
  destruct (gauss_normal m s Hs) as [I0 M0].
  pose proof (stochastic_gauss_integrable_sq m s Hs) as Isq.
  pose proof (stochastic_gauss_integrable_cpow2 m s Hs) as I2.
  assert (I1 : Lintegrable f1).
  { apply Lintegrable_plus_scal; [apply Lintegrable_scal_r, I0|exact Isq]. }
  split.
  - refine (proj1 (Lintegrable_ext _ _ Hpt) _). now apply Lintegrable_plus_scal.
  - rewrite <- (Lint_ext _ _ Hpt), (Lint_plus_scal f1 f2 k2 I1 I2).
    unfold f1. rewrite (Lint_plus_scal (fun x => gauss_pdf m s x * c0) _ (/ 2)
                          (Lintegrable_scal_r _ c0 I0) Isq).
    rewrite Lint_scal_r, M0 by exact I0. unfold f2.
    rewrite (stochastic_gauss_second_moment m s Hs), (stochastic_gauss_variance_l m s Hs).
    unfold c0, k2. field. lra.
Qed.

(** The densities of independent draws N(m_i, s_i^2). *)
Fixpoint gauss_dens (ms ss : list R) : list (R -> R) :=
  match ms, ss with
  | m :: ms', s :: ss' => gauss_pdf m s :: gauss_dens ms' ss'
  | _, _ => []
  end.

Lemma rand_dens_mvn (ms ss : list R) (n : nat) :
  length ms = n -> length ss = n -> rand_dens Mvn [ms; ss] n = gauss_dens ms ss.
Proof.
  unfold rand_dens. change (entry_dens Mvn [ms; ss]) with (fun k => gauss_pdf (nth k ms 0) (nth k ss 0)).
  revert ss n; induction ms as [|m ms IH]; intros [|s ss] n Hm Hs; subst n; simpl in *;
    try discriminate; [reflexivity|].
  f_equal. rewrite <- seq_shift, map_map. simpl. apply IH; lia.
Qed.

(** Draws of [z]'s entries, after which [F] has expectation [c] plus the
    sum of the [kl_term]s (and is integrable): [F] has expectation [c]
    (and is integrable) before them. *)
Lemma gauss_draws_kl {A : Type} (F : A -> R) (ms ss : list R) :
  length ss = length ms -> Forall (fun s => 0 < s) ss ->
  forall (c : R) (K : list R -> dist A),
  (forall xs, length xs = length ms ->
     expect F (K xs) = c + rsum (map3 kl_term ms ss xs) /\ dintegrable F (K xs)) ->
  expect F (draw_list (gauss_dens ms ss) K) = c /\ dintegrable F (draw_list (gauss_dens ms ss) K).
Proof.
  revert ss; induction ms as [|m ms IH]; intros [|s ss] Hl Hpos c K HK; simpl in Hl;
    try discriminate.
  - destruct (HK [] eq_refl) as [He Hi]. simpl in *. split; [rewrite He; ring|exact Hi].
  - inversion Hpos as [|? ? Hs Hpos']; subst.
    assert (Hin : forall x,
               expect F (draw_list (gauss_dens ms ss) (fun xs => K (x :: xs))) = c + kl_term m s x /\
               dintegrable F (draw_list (gauss_dens ms ss) (fun xs => K (x :: xs)))).
    { intros x. apply IH; [lia|exact Hpos'|]. intros xs Hxs.
      destruct (HK (x :: xs)) as [He Hi]; [simpl; lia|]. split; [|exact Hi].
      rewrite He. simpl. ring. }
    destruct (gauss_kl_term m s c Hs) as [Ig Mg]. simpl.
    assert (Hf : forall x, gauss_pdf m s x * (c + kl_term m s x) =
                   gauss_pdf m s x * expect F (draw_list (gauss_dens ms ss) (fun xs => K (x :: xs))))
      by (intros x; now rewrite (proj1 (Hin x))).
    split; [|split].
    + rewrite <- (Lint_ext _ _ Hf). exact Mg.
    + exact (proj1 (Lintegrable_ext _ _ Hf) Ig).
    + intros x. apply Hin.
Qed.

(** The empirical KL minus the KL, as the operators compute them. *)
Lemma kl_forward_diff (ss1 ss2 : list shape) (ms sg xs : list R) :
  length sg = length ms -> length xs = length ms ->
  scalar_of R_ops (dop_forward R_ops MvnEmpiricalKl ss1 [ms; sg; xs]) -
  scalar_of R_ops (dop_forward R_ops MvnKl ss2 [ms; sg]) = rsum (map3 kl_term ms sg xs).
Proof.
  intros H1 H2. simpl. unfold vsum. rewrite !fold_left_Rplus_rsum.
  revert sg xs H1 H2; induction ms as [|m ms IH]; intros [|s sg] [|x xs] H1 H2;
    simpl in *; try discriminate; [ring|].
  specialize (IH sg xs ltac:(lia) ltac:(lia)).
  unfold kl_term at 1. unfold s_two in *. simpl in *. lra.
Qed.

(** * The total cost when one cost's value changes *)

Lemma total_cost_rsum (g : graph R) (E : env R) :
  total_cost R_ops g E = rsum (map (fun c => scalar_of R_ops (find_val E c)) (g_costs g)).
Proof.
  unfold total_cost.
  assert (H : forall cs a, fold_left (fun acc c => s_add R_ops acc (scalar_of R_ops (find_val E c))) cs a
                          = a + rsum (map (fun c => scalar_of R_ops (find_val E c)) cs)).
  { induction cs as [|c cs IH]; intros a; simpl; [ring|]. rewrite IH. ring. }
  rewrite H. simpl. ring.
Qed.

(** A sum over unique names in which the term of one name changes. *)
Lemma rsum_change_one (cs : list string) (f f' : string -> R) (k : string) :
  NoDup cs -> In k cs -> (forall c, c <> k -> f' c = f c) ->
  rsum (map f' cs) = rsum (map f cs) - f k + f' k.
Proof.
  induction cs as [|c cs IH]; simpl; [tauto|]. intros Hnd Hk Hf.
  inversion Hnd as [|? ? Hc Hnd']; subst.
  destruct (String.eqb_spec c k) as [->|Hck].
  - rewrite (rsum_ext f' f cs) by (intros x Hx; apply Hf; intros ->; contradiction). ring.
  - rewrite (Hf c Hck). destruct Hk as [->|Hk]; [congruence|]. rewrite IH by assumption. ring.
Qed.

Lemma total_cost_set_val (g : graph R) (E : env R) (k : string) (v : list R) :
  NoDup (g_costs g) -> In k (g_costs g) -> In k (map fst E) ->
  total_cost R_ops g (set_val E k v) =
  total_cost R_ops g E - scalar_of R_ops (find_val E k) + scalar_of R_ops v.
Proof.
  intros Hnd Hk HE. rewrite !total_cost_rsum.
  rewrite (rsum_change_one _ (fun c => scalar_of R_ops (find_val E c))
             (fun c => scalar_of R_ops (find_val (set_val E k v) c)) k Hnd Hk).
  - now rewrite find_val_set_val_eq.
  - intros c Hc. now rewrite find_val_set_val_neq.
Qed.

(** * From a leaf of the prefix *)

(** The source value of [kl] minus the target one, at the values [fst vd]. *)
Definition kl_gap (se : senv) (mu sigma z : string) (vd : env R * env R) : R :=
  scalar_of R_ops (dop_forward R_ops MvnEmpiricalKl (parent_shapes se [mu; sigma; z])
                     (map (find_val (fst vd)) [mu; sigma; z])) -
  scalar_of R_ops (dop_forward R_ops MvnKl (parent_shapes se [mu; sigma])
                     (map (find_val (fst vd)) [mu; sigma])).

(** From the values [V] before the node [kl]: the expected cost of the
    source is that of the target plus the gap. *)
Lemma kl_post_gap (g : graph R) (se : senv) (r : reference) (mu sigma z : string)
    (post : list (node R)) (V D : env R) :
  wf_nodes se (NDet r MvnEmpiricalKl [mu; sigma; z] :: post) ->
  Forall (good_node g) (NDet r MvnEmpiricalKl [mu; sigma; z] :: post) ->
  NoDup (g_costs g) -> In (ref_name r) (g_costs g) ->
  (forall n, In n post -> ~ In (ref_name r) (node_parents n)) ->
  sized_on g (map fst se) V ->
  domains_on (shape_env g) 0 1 (NDet r MvnEmpiricalKl [mu; sigma; z] :: post) (fun _ => V) ->
  dintegrable (cost_of g) (run_nodes (shape_env g) (NDet r MvnEmpiricalKl [mu; sigma; z] :: post) V D) ->
  expect (cost_of g) (run_nodes (shape_env g) (NDet r MvnEmpiricalKl [mu; sigma; z] :: post) V D) =
  expect (cost_of g) (run_nodes (shape_env g) (NDet r MvnKl [mu; sigma] :: post) V D) +
  kl_gap (shape_env g) mu sigma z (V, D).
Proof.
  intros Hwf Hgood Hnd Hc Hnouse HS Hdom Hint.
  pose proof (name_not_later se _ post Hwf) as Hkl.
  inversion Hwf as [|? ? ? _ _ Hps _ Hwf']; subst.
  inversion Hgood as [|? ? Hgk Hgood']; subst.
  rewrite Forall_forall in Hps. destruct Hdom as [_ Hdom'].
  set (a := dop_forward R_ops MvnEmpiricalKl (parent_shapes (shape_env g) [mu; sigma; z])
              (map (find_val V) [mu; sigma; z])) in *.
  set (b := dop_forward R_ops MvnKl (parent_shapes (shape_env g) [mu; sigma])
              (map (find_val V) [mu; sigma])).
  change (run_nodes (shape_env g) (NDet r MvnEmpiricalKl [mu; sigma; z] :: post) V D)
    with (run_nodes (shape_env g) post ((ref_name r, a) :: V) D) in *.
  change (run_nodes (shape_env g) (NDet r MvnKl [mu; sigma] :: post) V D)
    with (run_nodes (shape_env g) post ((ref_name r, b) :: V) D).
  change (kl_gap (shape_env g) mu sigma z (V, D)) with (scalar_of R_ops a - scalar_of R_ops b).
  replace ((ref_name r, b) :: V) with (set_val ((ref_name r, a) :: V) (ref_name r) b)
    by (simpl; now rewrite String.eqb_refl).
  rewrite (run_nodes_set_val _ post (ref_name r) b Hnouse Hkl), expect_dmap.
  assert (Hnorm : dnormal (run_nodes (shape_env g) post ((ref_name r, a) :: V) D)).
  { apply (run_nodes_normal g post _ _ _ Hwf' Hgood'); [|exact Hdom'].
    apply sized_on_cons; [|exact HS].
    apply (det_value_sized g r MvnEmpiricalKl _ (map fst se)); auto. }
  rewrite (expect_ext_all (fun l => cost_of g (set_val (fst l) (ref_name r) b, snd l))
             (fun l => cost_of g l + (scalar_of R_ops b - scalar_of R_ops a))).
  - rewrite expect_plus_const by assumption. ring.
  - eapply dist_all_impl; [|apply run_nodes_vals]. intros [V' d'] [W [HW Hi]].
    simpl in HW. subst V'. unfold cost_of. cbv beta. cbn [fst snd].
    assert (HkW : ~ In (ref_name r) (map fst W)) by (intros HW'; apply Hkl, Hi, HW').
    assert (Hfa : find_val (W ++ (ref_name r, a) :: V) (ref_name r) = a).
    { unfold find_val. rewrite lookup_app_notin by exact HkW. simpl. now rewrite String.eqb_refl. }
    rewrite total_cost_set_val, Hfa; [ring|exact Hnd|exact Hc|].
    rewrite map_app, in_app_iff. right. now left.
Qed.

(** From the values [V] before [z]: the gap has expectation 0 under the
    run of [z :: mid], and is integrable. *)
Lemma kl_gap_mean_zero (g : graph R) (se : senv) (rz : reference) (mu sigma : string)
    (mid rest : list (node R)) (V D : env R) :
  wf_nodes se (NRand rz Mvn [mu; sigma] :: mid ++ rest) ->
  Forall (good_node g) (NRand rz Mvn [mu; sigma] :: mid) ->
  sized_on g (map fst se) V ->
  domains_on (shape_env g) 0 1 (NRand rz Mvn [mu; sigma] :: mid ++ rest) (fun _ => V) ->
  expect (kl_gap (shape_env g) mu sigma (ref_name rz))
    (run_nodes (shape_env g) (NRand rz Mvn [mu; sigma] :: mid) V D) = 0 /\
  dintegrable (kl_gap (shape_env g) mu sigma (ref_name rz))
    (run_nodes (shape_env g) (NRand rz Mvn [mu; sigma] :: mid) V D).
Proof.
  intros Hwf Hgood HS Hdom.
  pose proof (name_not_later se _ _ Hwf) as Hz.
  assert (Hpar : forall p, In p [mu; sigma] -> ~ In p (map node_name (NRand rz Mvn [mu; sigma] :: mid ++ rest))).
  { intros p Hp. apply (parents_not_later se _ _ p Hwf).
    inversion Hwf as [|? ? ? _ _ Hps _ _]; subst. rewrite Forall_forall in Hps. now apply Hps. }
  pose proof (domains_on_first _ 0 1 _ _ V Rlt_0_1 Hdom) as Hpos.
  apply mvn_domain_pos in Hpos. simpl in Hpos.
  inversion Hwf as [|? ? ? _ _ Hps _ Hwf']; subst. rewrite Forall_forall in Hps.
  inversion Hgood as [|? ? Hgz Hgood']; subst.
  destruct (mvn_node_parents g rz [mu; sigma] Hgz) as [pm [psg [Heq [Hsm Hss]]]].
  injection Heq as <- <-.
  pose proof Hgz as (_ & Hshz & _).
  destruct (wf_nodes_app _ mid rest Hwf') as [Hwfm _].
  destruct Hdom as [_ Hdom'].
  assert (Hlm : length (find_val V mu) = shape_size (ref_shape rz))
    by (rewrite <- Hsm; apply HS, Hps; now left).
  assert (Hls : length (find_val V sigma) = shape_size (ref_shape rz))
    by (rewrite <- Hss; apply HS, Hps; right; now left).
  simpl. rewrite (rand_dens_mvn _ _ _ Hlm Hls).
  apply (gauss_draws_kl _ (find_val V mu) (find_val V sigma) ltac:(lia) Hpos 0). intros xs Hxs.
  assert (Hxn : length xs = shape_size (ref_shape rz)) by lia.
  assert (Hnorm : dnormal (run_nodes (shape_env g) mid ((ref_name rz, xs) :: V)
                             ((ref_name rz, xs) :: D))).
  { apply (run_nodes_normal g mid _ _ _ Hwfm Hgood').
    - apply sized_on_cons; [|exact HS]. exact (eq_trans Hxn (f_equal shape_size (eq_sym Hshz))).
    - apply (domains_on_app_l _ 0 1 mid rest), Hdom', Hxn. }
  assert (Hval : dist_all (fun vd => kl_gap (shape_env g) mu sigma (ref_name rz) vd =
                                     0 + rsum (map3 kl_term (find_val V mu) (find_val V sigma) xs))
                   (run_nodes (shape_env g) mid ((ref_name rz, xs) :: V) ((ref_name rz, xs) :: D))).
  { eapply dist_all_impl; [|apply run_nodes_vals]. intros [V' d'] [W [HW Hi]].
    simpl in HW. subst V'. unfold kl_gap. cbn [fst map].
    (* mu and sigma are not redefined after [z]; [z]'s value is the draw *)
    assert (Hfv : forall p, In p [mu; sigma] ->
              find_val (W ++ (ref_name rz, xs) :: V) p = find_val V p).
    { intros p Hp. pose proof (Hpar p Hp) as Hp'. simpl in Hp'. rewrite map_app, in_app_iff in Hp'.
      unfold find_val. rewrite lookup_app_notin by (intros HpW; apply Hp'; right; left; apply Hi, HpW).
      simpl. destruct (String.eqb_spec p (ref_name rz)) as [->|]; [|reflexivity].
      exfalso. apply Hp'. now left. }
    assert (Hfz : find_val (W ++ (ref_name rz, xs) :: V) (ref_name rz) = xs).
    { unfold find_val. rewrite lookup_app_notin.
      - simpl. now rewrite String.eqb_refl.
      - intros HzW. apply Hz. simpl. rewrite map_app, in_app_iff. left. apply Hi, HzW. }
    rewrite (Hfv mu), (Hfv sigma), Hfz by (simpl; tauto).
    rewrite kl_forward_diff by lia. ring. }
  split; [exact (expect_const _ _ _ Hnorm Hval)|exact (dintegrable_const _ _ _ Hnorm Hval)].
Qed.

(** * The theorem *)

Lemma shape_env_with_nodes (g : graph R) (ns : list (node R)) :
  map node_ref ns = map node_ref (g_nodes g) -> shape_env (with_nodes g ns) = shape_env g.
Proof. intros H. unfold shape_env, all_refs. simpl. now rewrite H. Qed.

(** The rewrite keeps every node's reference. *)
Lemma map_node_ref_replace (A B C : list (node R)) (m n n' : node R) :
  node_ref n' = node_ref n ->
  map node_ref (A ++ m :: B ++ n' :: C) = map node_ref (A ++ m :: B ++ n :: C).
Proof. intros H. rewrite !map_app. simpl. rewrite !map_app. simpl. now rewrite H. Qed.

Theorem integrate_kl_expected_cost (kl : string) (g g' : graph R) (inputs : env R) :
  check_graph g = CheckOk -> integrate_kl kl g = Ok g' -> inputs_fit g inputs ->
  run_domains g inputs -> dintegrable (cost_of g) (graph_dist g inputs) ->
  expected_cost g' inputs = expected_cost g inputs.
Proof.
  intros Hcheck Hkl Hfit Hdom Hint.
  destruct (integrate_kl_spec kl g g' Hkl)
    as (pre & rz & mu & sigma & mid & r & post & Hg & -> & <- & Hc & Hnouse).
  pose proof (check_graph_sound g Hcheck) as Hwf.
  pose proof Hwf as (_ & _ & _ & _ & Hwfn & Hnd & _).
  pose proof (wf_graph_good g Hwf) as Hgood.
  pose proof (input_values_sized g inputs Hwf Hfit) as HS0.
  set (se := shape_env g).
  set (Nz := NRand rz Mvn [mu; sigma]) in *.
  set (Ks := NDet r MvnEmpiricalKl [mu; sigma; ref_name rz] :: post) in *.
  set (Kt := NDet r MvnKl [mu; sigma] :: post).
  set (P := pre ++ Nz :: mid).
  set (gap := kl_gap se mu sigma (ref_name rz)).
  assert (HP : forall K, pre ++ Nz :: mid ++ K = P ++ K)
    by (intros K; unfold P; rewrite <- app_assoc; reflexivity).
  (* the costs of both graphs as expectations over the runs of [P] *)
  assert (Htgt : expected_cost (with_nodes g (pre ++ Nz :: mid ++ Kt)) inputs =
                 expect (fun vd => expect (cost_of g) (run_nodes se Kt (fst vd) (snd vd)))
                   (run_nodes se P inputs [])).
  { unfold expected_cost, graph_dist.
    rewrite shape_env_with_nodes by (rewrite Hg; apply map_node_ref_replace; reflexivity).
    simpl g_nodes. rewrite HP, run_nodes_app, expect_dist_bind. reflexivity. }
  assert (Hsrc : expected_cost g inputs =
                 expect (fun vd => expect (cost_of g) (run_nodes se Ks (fst vd) (snd vd)))
                   (run_nodes se P inputs [])).
  { unfold expected_cost, graph_dist. fold se. rewrite Hg, HP, run_nodes_app, expect_dist_bind.
    reflexivity. }
  rewrite Htgt, Hsrc.
  unfold graph_dist in Hint. fold se in Hint. rewrite Hg, HP, run_nodes_app in Hint.
  apply dintegrable_dist_bind in Hint as [HintP HintK].
  unfold run_domains in Hdom. fold se in Hdom. rewrite Hg in Hdom.
  rewrite Hg in Hwfn, Hgood.
  apply Forall_app in Hgood as [Hgpre HgZ].
  change (Forall (good_node g) ((Nz :: mid) ++ Ks)) in HgZ.
  apply Forall_app in HgZ as [HgZm HgK].
  assert (HgP : Forall (good_node g) P) by (apply Forall_app; split; assumption).
  (* source = target + gap at every leaf of [P] *)
  assert (HA : dist_all (fun vd => expect (cost_of g) (run_nodes se Ks (fst vd) (snd vd)) =
                                   expect (cost_of g) (run_nodes se Kt (fst vd) (snd vd)) + gap vd)
                 (run_nodes se P inputs [])).
  { rewrite HP in Hwfn, Hdom. destruct (wf_nodes_app _ P Ks Hwfn) as [HwfP HwfK].
    eapply dist_all_impl;
      [|exact (dist_all_and _ _ _ (run_nodes_prefix_leaves g P Ks _ inputs [] HwfP HgP HS0 Hdom)
                                  HintK)].
    intros [V D] [[HSV HdV] HiV].
    apply (kl_post_gap g (se_after (input_senv g) P)); auto.
    intros n Hn. apply Hnouse. rewrite Hg, HP. apply in_app_iff. right. now right. }
  (* the gap has expectation 0 and is integrable *)
  assert (HB : expect gap (run_nodes se P inputs []) = 0 /\ dintegrable gap (run_nodes se P inputs [])).
  { destruct (wf_nodes_app _ pre (Nz :: mid ++ Ks) Hwfn) as [Hwfpre HwfZ].
    assert (Hz : dist_all (fun vd => expect gap (run_nodes se (Nz :: mid) (fst vd) (snd vd)) = 0 /\
                                     dintegrable gap (run_nodes se (Nz :: mid) (fst vd) (snd vd)))
                   (run_nodes se pre inputs [])).
    { eapply dist_all_impl;
        [|exact (run_nodes_prefix_leaves g pre (Nz :: mid ++ Ks) _ inputs [] Hwfpre Hgpre HS0 Hdom)].
      intros [V D] [HSV HdV].
      exact (kl_gap_mean_zero g _ rz mu sigma mid Ks V D HwfZ HgZm HSV HdV). }
    unfold P. rewrite run_nodes_app, expect_dist_bind, dintegrable_dist_bind. split; [|split].
    - rewrite (expect_ext_all _ (fun _ => 0)); [apply expect_zero|].
      eapply dist_all_impl; [|exact Hz]. intros vd [H _]. exact H.
    - apply (dintegrable_ext_all (fun _ => 0)); [|apply dintegrable_zero].
      eapply dist_all_impl; [|exact Hz]. intros vd [H _]. symmetry. exact H.
    - eapply dist_all_impl; [|exact Hz]. intros vd [_ H]. exact H. }
  destruct HB as [HB0 HBi].
  rewrite (expect_ext_all _ _ _ HA), expect_plus.
  - rewrite HB0. ring.
  - exact (dintegrable_ext_all _ _ _ HA HintP).
  - exact HBi.
Qed.

Corollary integrate_kl_preserves (kl : string) (g g' : graph R) (inputs : env R) (p : string)
    (j : nat) (a b : R) :
  check_graph g = CheckOk -> integrate_kl kl g = Ok g' -> inputs_fit g inputs ->
  reachable_domains g inputs p j a b -> is_gintegrable g inputs p j a b ->
  forall t, a < t < b ->
    expected_cost g' (set_input_entry inputs p j t) = expected_cost g (set_input_entry inputs p j t).
Proof.
  intros Hcheck Hkl Hfit Hdom Hint t Ht.
  apply (integrate_kl_expected_cost kl); auto.
  - now apply inputs_fit_set_input_entry.
  - now apply (reachable_domains_at g inputs p j a b t).
  - now apply (is_gintegrable_at g inputs p j a b t).
Qed.

(** * The rewritten graph is well formed, with its domains *)

Lemma check_node_kl (se : senv) (r : reference) (mu sigma z : string) :
  check_node se (@NDet R r MvnEmpiricalKl [mu; sigma; z]) = CheckOk ->
  check_node se (@NDet R r MvnKl [mu; sigma]) = CheckOk.
Proof.
  unfold check_node, node_name, node_shape, node_parents, node_op, node_ref, first_undefined,
    op_out_shape_res, apply_shape_rule, same_shapes, first_other_shape, parent_shapes. cbn.
  repeat (match goal with |- context [if ?b then _ else _] => destruct b end; cbn);
    intros H; try discriminate H; reflexivity.
Qed.

(** Replacing a node by one of the same name and shape that the checker
    accepts wherever it accepts the old one. *)
Lemma check_nodes_replace (A post : list (node R)) (n n' : node R) :
  node_name n' = node_name n -> node_shape n' = node_shape n ->
  (forall se, check_node se n = CheckOk -> check_node se n' = CheckOk) ->
  forall se, check_nodes se (A ++ n :: post) = CheckOk -> check_nodes se (A ++ n' :: post) = CheckOk.
Proof.
  intros Hname Hshape Hnode. induction A as [|m A IH]; intros se H; cbn [app check_nodes] in *.
  - apply check_then_ok in H as [H1 H2]. rewrite (Hnode se H1). cbn [check_then].
    rewrite Hname, Hshape. exact H2.
  - apply check_then_ok in H as [H1 H2]. rewrite H1. cbn [check_then]. apply IH, H2.
Qed.

Lemma check_graph_with_nodes (g : graph R) (ns : list (node R)) :
  check_graph g = CheckOk -> check_nodes (input_senv g) ns = CheckOk ->
  map node_ref ns = map node_ref (g_nodes g) -> check_graph (with_nodes g ns) = CheckOk.
Proof.
  intros Hc Hn Href. unfold check_graph in *.
  apply check_then_ok in Hc as [H1 Hc]. apply check_then_ok in Hc as [H2 Hc].
  apply check_then_ok in Hc as [_ H4].
  change (check_then (check_inputs [] (g_inputs g)) (fun _ =>
          check_then (check_params (input_names g) [] (g_params g)) (fun _ =>
          check_then (check_nodes (input_senv g) ns) (fun _ =>
          check_costs (shape_env (with_nodes g ns)) [] (g_costs g)))) = CheckOk).
  rewrite H1. cbn [check_then]. rewrite H2. cbn [check_then]. rewrite Hn. cbn [check_then].
  rewrite shape_env_with_nodes by exact Href. exact H4.
Qed.

Theorem integrate_kl_check (kl : string) (g g' : graph R) :
  check_graph g = CheckOk -> integrate_kl kl g = Ok g' -> check_graph g' = CheckOk.
Proof.
  intros Hcheck Hkl.
  destruct (integrate_kl_spec kl g g' Hkl)
    as (pre & rz & mu & sigma & mid & r & post & Hg & -> & _ & _ & _).
  apply check_graph_with_nodes; [exact Hcheck| |rewrite Hg; apply map_node_ref_replace; reflexivity].
  assert (Hn : check_nodes (input_senv g) (g_nodes g) = CheckOk).
  { unfold check_graph in Hcheck. apply check_then_ok in Hcheck as [_ Hcheck].
    apply check_then_ok in Hcheck as [_ Hcheck]. now apply check_then_ok in Hcheck as [Hn _]. }
  rewrite Hg in Hn. rewrite app_comm_cons, app_assoc in Hn |- *.
  apply (check_nodes_replace _ post (NDet r MvnEmpiricalKl [mu; sigma; ref_name rz])); auto.
  intros se. apply check_node_kl.
Qed.

Theorem integrate_kl_domains (kl : string) (g g' : graph R) (inputs : env R) :
  check_graph g = CheckOk -> integrate_kl kl g = Ok g' -> inputs_fit g inputs ->
  run_domains g inputs -> run_domains g' inputs.
Proof.
  intros Hcheck Hkl _ Hdom.
  destruct (integrate_kl_spec kl g g' Hkl)
    as (pre & rz & mu & sigma & mid & r & post & Hg & -> & <- & _ & Hnouse).
  pose proof (check_graph_sound g Hcheck) as (_ & _ & _ & _ & Hwfn & _).
  unfold run_domains in *.
  rewrite shape_env_with_nodes by (rewrite Hg; apply map_node_ref_replace; reflexivity).
  simpl g_nodes. rewrite Hg in Hdom, Hwfn. rewrite app_comm_cons, app_assoc in Hdom, Hwfn |- *.
  destruct (wf_nodes_app _ _ _ Hwfn) as [_ HwfK].
  pose proof (name_not_later _ _ post HwfK) as Hkl'.
  assert (Hnouse' : forall n, In n post -> ~ In (ref_name r) (node_parents n)).
  { intros n Hn. apply Hnouse. rewrite Hg, app_comm_cons, app_assoc. apply in_app_iff.
    right. now right. }
  revert Hdom. apply domains_on_app_replace. intros valsC [H0 H1]. split; [exact H0|].
  (* after [kl] the two families differ only in [kl]'s value *)
  eapply (domains_on_set_val _ 0 1 post (ref_name r) Hnouse' Hkl'); [|exact H1].
  intros t. simpl. now rewrite String.eqb_refl.
Qed.

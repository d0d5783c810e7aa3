(** * The headline theorems of theories/stochastic/: semantics, preconditions,
      unbiasedness, decision procedures (Stdlib [R], Coquelicot's [is_derive],
      except where said; [Stochastic.x] is [x] of the semantics file
      stochastic/Stochastic.v)

    Each statement written out in full and proved by [exact] of the
    original (theories/headlines/README.md; checked by audit/audit.py). *)

From Certigrad Require headlines.Libraries.

Section stochastic_statements.
Import Coquelicot.Coquelicot.
Import Reals String List ListNotations.
Import Scalar Tensor Ops Graph WellFormed OpsSpec.
Import Certigrad.stochastic.Stochastic StochasticPre FamilyDerive UnbiasedExamples.
Import StdFlatten GrowthDefs GrowthOps GrowthCheck.
Local Open Scope list_scope.
Local Open Scope string_scope.
Local Open Scope R_scope.

(** stochastic backprop is unbiased: d/dt E[sum of costs] = E[entry of
    backprop] under reachable_domains, is_gintegrable,
    can_differentiate_under_integrals *)
Definition backprop_unbiased_statement : Prop :=
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
    (expected_grad g inputs p j).

Theorem backprop_unbiased : backprop_unbiased_statement.
Proof. exact @Certigrad.stochastic.Unbiased.backprop_unbiased. Qed.

(** the same, from the per-operator statement dop_correct *)
Definition backprop_unbiased_of_ops_statement : Prop :=
  (forall o : dop R, dop_correct o) -> backprop_unbiased_statement.

Theorem backprop_unbiased_of_ops : backprop_unbiased_of_ops_statement.
Proof. exact @Certigrad.stochastic.Unbiased.backprop_unbiased_of_ops. Qed.

(** any t-indexed family of iterated-integral distributions: d/dt E_t[F] =
    est (Leibniz at each draw, density derivative as score), and the
    unrolled estimator identity *)
Definition pval_derive_statement : Prop :=
  forall (A : Type) (F : A -> R) (a b : R) (P : pdist A),
  smooth F a b P -> gintegrable F a b P -> dominated F a b P ->
  forall t, a < t < b ->
  is_derive (pval F P) t (est F P t) /\
  (forall s, uest F P t s = est F P t + s * pval F P t).

Theorem pval_derive : pval_derive_statement.
Proof. exact @Certigrad.stochastic.FamilyDerive.pval_derive. Qed.

(** example: x ~ N(theta, (e^theta)^2), cost x*x: all preconditions of
    backprop_unbiased proved, so d/dtheta E[x^2] = E[backprop] *)
Definition ex1_unbiased_statement : Prop :=
  forall th a b : R, a < th < b ->
  is_derive (fun t => expected_cost ex1 (set_input_entry [("theta", [th])] "theta" 0 t)) th
    (expected_grad ex1 [("theta", [th])] "theta" 0).

Theorem ex1_unbiased : ex1_unbiased_statement.
Proof. exact @Certigrad.stochastic.UnbiasedExamples.ex1_unbiased. Qed.

(** example, reparameterized two-layer graph (mvn_std, softplus, sigmoid,
    Bernoulli NLL); every precondition proved, each parameter *)
Definition ex2_unbiased_statement : Prop :=
  forall (w1 b1 w2 b2 y a b : R) (p : string),
  In p (g_params ex2) ->
  a < nth 0 (find_val (ex2_inputs w1 b1 w2 b2 y) p) 0 < b ->
  is_derive (fun t => expected_cost ex2 (set_input_entry (ex2_inputs w1 b1 w2 b2 y) p 0 t))
    (nth 0 (find_val (ex2_inputs w1 b1 w2 b2 y) p) 0)
    (expected_grad ex2 (ex2_inputs w1 b1 w2 b2 y) p 0).

Theorem ex2_unbiased : ex2_unbiased_statement.
Proof. exact @Certigrad.stochastic.UnbiasedExamples.ex2_unbiased. Qed.

(** the sign analysis sign_check decides reachable_domains (soundness) *)
Definition sign_check_sound_statement : Prop :=
  forall (g : graph R) (inputs : env R) (p : string) (j : nat) (a b : R),
  sign_check g = true -> reachable_domains g inputs p j a b.

Theorem sign_check_sound : sign_check_sound_statement.
Proof. exact @Certigrad.stochastic.UnbiasedExamples.sign_check_sound. Qed.

(** graphs without random nodes passing sign_check: every precondition
    decided *)
Definition backprop_unbiased_checked_statement : Prop :=
  forall (g : graph R) (inputs : env R) (p : string) (j : nat),
  check_graph g = CheckOk -> no_rand g = true -> sign_check g = true ->
  inputs_fit g inputs -> In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  is_derive (fun t => expected_cost g (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0) (expected_grad g inputs p j).

Theorem backprop_unbiased_checked : backprop_unbiased_checked_statement.
Proof. exact @Certigrad.stochastic.UnbiasedExamples.backprop_unbiased_checked. Qed.

(** Lint (Stochastic.gauss_pdf m s) = 1 for s > 0: the draws of graph_dist
    are probability densities *)
Definition stochastic_gauss_mass_statement : Prop :=
  forall m s : R, 0 < s ->
  Stochastic.Lint (Stochastic.gauss_pdf m s) = 1.

Theorem stochastic_gauss_mass : stochastic_gauss_mass_statement.
Proof. exact @Certigrad.stochastic.GaussianBridge.stochastic_gauss_mass. Qed.

(** for every f : R -> R and k > 0: int f(k e + m) de = (int f) / k (no
    measurability or integrability hypothesis) *)
Definition Lint_affine_statement : Prop :=
  forall (f : R -> R) (k m : R), 0 < k ->
  Lint (fun e => f (k * e + m)) = Lint f / k.

Theorem Lint_affine : Lint_affine_statement.
Proof. exact @Certigrad.stochastic.AffineChange.Lint_affine. Qed.

(** f (k e + m) is Lebesgue integrable iff f is (k > 0) *)
Definition Lintegrable_affine_statement : Prop :=
  forall (f : R -> R) (k m : R), 0 < k ->
  Lintegrable (fun e => f (k * e + m)) <-> Lintegrable f.

Theorem Lintegrable_affine : Lintegrable_affine_statement.
Proof. exact @Certigrad.stochastic.AffineChange.Lintegrable_affine. Qed.

(** E_{x~N(m,s^2)}[h x] = E_{e~N(0,1)}[h (s e + m)] for every h (s > 0) *)
Definition Lint_gauss_affine_statement : Prop :=
  forall (m s : R) (h : R -> R), 0 < s ->
  Lint (fun x => gauss_pdf m s x * h x) = Lint (fun e => gauss_pdf 0 1 e * h (s * e + m)).

Theorem Lint_gauss_affine : Lint_gauss_affine_statement.
Proof. exact @Certigrad.stochastic.AffineChange.Lint_gauss_affine. Qed.

(** a graph whose noise is mvn_std is N standard-normal draws followed by
    a deterministic run *)
Definition pnodes_std_statement : Prop :=
  forall (se : senv) (ns : list (node R)),
  all_std ns = true ->
  forall (valsC : R -> env R) (draws : env R),
  pnodes se ns valsC draws =
  pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) (n_draws ns))
    (fun xs => PRet (fun t => det_run se ns xs 0 (valsC t) draws)).

Theorem pnodes_std : pnodes_std_statement.
Proof. exact @Certigrad.stochastic.StdFlatten.pnodes_std. Qed.

(** N standard-normal draws then a value smooth in t with exponential
    growth in the draws: is_gintegrable and can_differentiate_under_integrals
    hold (here in their form for one family, [gintegrable] and
    [dominated]) *)
Definition std_draws_pre_statement : Prop :=
  forall (X : Type) (F : X -> R) (H : R -> list R -> X) (n : nat) (a b c : R)
    (du : R -> list R -> R),
  0 <= c -> sg_with a b c (fun t xs => F (H t xs)) du ->
  gintegrable F a b (pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) n) (fun xs => PRet (fun t => H t xs))) /\
  dominated F a b (pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) n) (fun xs => PRet (fun t => H t xs))).

Theorem std_draws_pre : std_draws_pre_statement.
Proof. exact @Certigrad.stochastic.StdNormalPre.std_draws_pre. Qed.

(** the growth table: each operator maps tags of its parents (bounded,
    positive, in (0,1), exponential growth) to a sound tag of its value *)
Definition dop_gtag_sound_statement : Prop :=
  forall (a b : R) (o : dop R) (ss : list shape) (decl sout : shape)
    (Vs : R -> list R -> list (list R)) (ts : list gtag) (tg : gtag),
  op_out_shape (ODet o) decl ss = Some sout ->
  length ts = length ss ->
  (forall t xs, length (Vs t xs) = length ss) ->
  (forall i, (i < length ss)%nat ->
     tag_holds a b (nth i ts GGood) (shape_size (nth i ss [])) (fun t xs => nth i (Vs t xs) [])) ->
  dop_gtag o ts = Some tg ->
  tag_holds a b tg (shape_size sout) (fun t xs => dop_forward R_ops o ss (Vs t xs)).

Theorem dop_gtag_sound : dop_gtag_sound_statement.
Proof. exact @Certigrad.stochastic.GrowthOps.dop_gtag_sound. Qed.

(** graphs that pass growth_check (mvn_std noise): is_gintegrable and
    can_differentiate_under_integrals for every input, parameter entry and
    interval *)
Definition growth_check_sound_pre_statement : Prop :=
  forall (g : graph R) (inputs : env R) (p : string) (j : nat)
    (a b : R) (tags : tag_env),
  check_graph g = CheckOk -> inputs_fit g inputs -> growth_check dop_gtag g = Ok tags ->
  is_gintegrable g inputs p j a b /\ can_differentiate_under_integrals g inputs p j a b.

Theorem growth_check_sound_pre : growth_check_sound_pre_statement.
Proof. exact @Certigrad.stochastic.GrowthCheck.growth_check_sound_pre. Qed.

End stochastic_statements.

(** ** stochastic/UnbiasedEst.v and UnbiasedDownstream.v: the estimators of
       core/BackpropEst.v ([expected_grad_est est g inputs p j]: the
       expectation over the graph's draws of entry [j] of [p]'s estimate
       by [backprop_est est]; [AllCosts]: Certigrad's, every score times
       the sum of all costs; [Downstream bs]: every score times the sum of
       the costs reachable from its node minus the node's baseline, an
       input named in [bs]; [costs_integrable g inputs]: each cost is
       integrable under the graph's distribution) *)

Section estimator_statements.
Import Coquelicot.Coquelicot.
Import Reals String List ListNotations.
Import Scalar Tensor Ops Graph WellFormed.
Import Certigrad.stochastic.Stochastic StochasticPre BackpropEst UnbiasedEst UnbiasedDownstream.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** Certigrad's all-costs estimator through backprop_est: unbiased under
    backprop_unbiased's preconditions *)
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
Proof. exact @Certigrad.stochastic.UnbiasedEst.backprop_est_all_unbiased. Qed.

(** the downstream estimator with checked baselines is unbiased: d/dt
    E[sum of costs] = E[downstream estimate] under backprop_unbiased's
    preconditions, check_baselines and costs_integrable *)
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
Proof. exact @Certigrad.stochastic.UnbiasedDownstream.backprop_est_unbiased. Qed.

(** the same for a graph with one cost, under backprop_unbiased's
    preconditions and check_baselines only *)
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
Proof. exact @Certigrad.stochastic.UnbiasedDownstream.backprop_est_unbiased_one_cost. Qed.

End estimator_statements.

(** ** stochastic/GradIntegrable.v and ShardMean.v: the sampled gradient is
       integrable; data-parallel backprop ([isum K f]: the sum
       of [f k] for [k < K]; [dist_indep Ds]: the independent joint of the
       distributions [Ds], a final point is the list of their final points) *)

Section shard_statements.
Import Coquelicot.Coquelicot.
Import Reals String List ListNotations.
Import Scalar Tensor TensorFacts Ops Graph WellFormed Backprop.
Import Certigrad.stochastic.Stochastic StochasticPre ShardMean.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** the mean over K shards of backprop, each on its shard's graph with its
    own independent draws, is unbiased: d/dt of the mean expected cost =
    E[mean of the shards' backprop entries] under the independent joint, for
    shards meeting backprop_unbiased's preconditions at one value t0 of the
    entry; no other hypothesis *)
Definition shard_mean_unbiased_statement : Prop :=
  forall (K : nat) (G : nat -> graph R) (I : nat -> env R) (p : string) (j : nat) (a b t0 : R),
  a < t0 < b ->
  (forall k, (k < K)%nat ->
     check_graph (G k) = CheckOk /\
     inputs_fit (G k) (I k) /\
     In p (g_params (G k)) /\
     (j < shape_size (find_shape (shape_env (G k)) p))%nat /\
     nth j (find_val (I k) p) 0 = t0 /\
     reachable_domains (G k) (I k) p j a b /\
     is_gintegrable (G k) (I k) p j a b /\
     can_differentiate_under_integrals (G k) (I k) p j a b) ->
  is_derive
    (fun t => isum K (fun k => expected_cost (G k) (set_input_entry (I k) p j t)) / INR K)
    t0
    (expect
       (fun vds => isum K (fun k =>
          nth j (find_val (backprop R_ops (G k) (I k) (snd (nth k vds ([], [])))) p) 0) / INR K)
       (dist_indep (map (fun k => graph_dist (G k) (I k)) (seq 0 K)))).

Theorem shard_mean_unbiased : shard_mean_unbiased_statement.
Proof. exact @Certigrad.stochastic.ShardMean.shard_mean_unbiased. Qed.

(** under backprop_unbiased's preconditions the sampled gradient entry
    (entry j of p of backprop, with the draws of the run) is dintegrable under
    the graph's distribution (RunFacts.v); no other hypothesis *)
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
  RunFacts.dintegrable (fun vd => nth j (find_val (backprop R_ops g inputs (snd vd)) p) 0)
    (graph_dist g inputs).

Theorem sampled_grad_dintegrable : sampled_grad_dintegrable_statement.
Proof. exact @Certigrad.stochastic.GradIntegrable.sampled_grad_dintegrable. Qed.

End shard_statements.

(** ** stochastic/GaussianBridge.v, in mathcomp's notation ([R] is
       [real_realType]; the two densities are Stochastic.v's, on Stdlib
       [exp] and [PI], and Gaussian.v's, on mathcomp's [expR] and [pi]) *)

Section gaussian_bridge_statements.
Import Preamble.
Local Open Scope ring_scope.
Local Notation R := real_realType.

(** the density of the graph semantics (Stochastic.v, Stdlib exp/PI) is
    the one of the swap library (Gaussian.v, mathcomp expR/pi) *)
Definition stochastic_gauss_pdfE_statement : Prop :=
  forall m s x : R, 0 < s ->
  Stochastic.gauss_pdf m s x = Gaussian.gauss_pdf m s x.

Theorem stochastic_gauss_pdfE : stochastic_gauss_pdfE_statement.
Proof. exact @Certigrad.stochastic.GaussianBridge.stochastic_gauss_pdfE. Qed.

End gaussian_bridge_statements.

(** ** stochastic/Certify.v: the checker of users' graphs *)

Section certify_statements.
Import Coquelicot.Coquelicot.
Import Reals String List ListNotations.
Import Scalar Tensor Ops Graph WellFormed.
Import Certigrad.stochastic.Stochastic StochasticPre Intervals GrowthBoxes Certify.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** the checker certify: if it accepts g on the input boxes, then for all
    inputs of their sizes with data inputs in the boxes, every parameter
    and entry, d/dt E_g[sum of costs] = E[entry of backprop] on the
    certified graph (g itself when g has no mvn node; else g with its mvn
    nodes reparameterized) *)
Definition certify_sound_statement : Prop :=
  forall (g : graph R) (boxes : list (string * itv)) (inputs : env R) (p : string) (j : nat),
  certify g boxes = Certified ->
  inputs_fit g inputs -> in_boxes g boxes inputs ->
  In p (g_params g) -> (j < length (find_val inputs p))%nat ->
  is_derive (fun t => expected_cost g (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0) (expected_grad (certified_graph g boxes) inputs p j) /\
  (first_mvn (g_nodes g) = None -> certified_graph g boxes = g).

Theorem certify_sound : certify_sound_statement.
Proof. exact @Certigrad.stochastic.Certify.certify_sound. Qed.

(** what certify_graph g boxes = inl g' guarantees: g' well-formed with g's
    inputs and parameters; for all inputs in the boxes, parameters, entries
    and intervals, reachable_domains, is_gintegrable and
    can_differentiate_under_integrals of g', reachable_domains of g, and
    the same expected cost *)
Definition certify_pre_statement : Prop :=
  forall (g g' : graph R) (boxes : list (string * itv)),
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

Theorem certify_pre : certify_pre_statement.
Proof. exact @Certigrad.stochastic.Certify.certify_pre. Qed.

End certify_statements.

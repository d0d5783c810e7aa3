(** * The headline theorems, stated in one place

    This is the file to read to know what certigrad proves (in the spirit
    of CompCert's Complements.v).  For every theorem listed in
    audit/headlines.txt it gives

    - [Definition <name>_statement : Prop := ...] ([: Type] for
      [epsilon_statement_of_allowlist], a [sig] type): the statement written
      out in full, with the section variables and hypotheses of the
      original made explicit as [forall]s and premises, in the notations of
      the source file;
    - [Theorem <name> : <name>_statement], proved by [exact] of the
      original theorem (fully qualified), so Coq checks that the statement
      read here is the one proved there.

    The definitions a statement uses ([expected_cost], [reachable_domains],
    [gauss_expect], ...) are those of the source files, documented there.
    One module per folder of theories/ ([Core], [Analysis], [Stochastic],
    [Aevb]); inside, sections that import what their statements need and
    open the scopes of the source files (numerals and operators in
    [R_scope] are Stdlib's, in [ring_scope] mathcomp's).  The one-line
    comment above each statement is its gloss in audit/headlines.txt, in
    places with what a definition or notation means.
    audit/audit.py checks that audit/headlines.txt and this file name the
    same theorems and that each theorem here rests on exactly the axioms of
    its original. *)

From Coq Require Reals String List.
From Coquelicot Require Coquelicot.
From mathcomp Require matrix.
From Certigrad Require analysis.Preamble.
From Certigrad Require core.Scalar core.Tensor core.Ops core.Graph core.WellFormed core.Backprop.
From Certigrad Require core.OpsSpec core.ListSums core.BackpropNaive core.WellFormedSound.
From Certigrad Require core.BackpropCorrect core.AxiomFacts core.OpsCorrect.
From Certigrad Require core.ForwardOnce core.GemmLoops stochastic.GradIntegrable.
From Certigrad Require analysis.Leibniz analysis.DeriveBridge analysis.Gaussian.
From Certigrad Require analysis.ExpectationSwap analysis.GaussianValue analysis.GaussianIntegral.
From Certigrad Require analysis.SwapCorollaries analysis.GaussianND analysis.GaussianNDScore.
From Certigrad Require stochastic.Stochastic stochastic.StochasticPre stochastic.FamilyDerive.
From Certigrad Require stochastic.Unbiased stochastic.UnbiasedExamples stochastic.GaussianBridge.
From Certigrad Require stochastic.AffineChange stochastic.StdFlatten stochastic.StdNormalPre.
From Certigrad Require stochastic.Intervals stochastic.GrowthBoxes stochastic.Certify.
From Certigrad Require stochastic.GrowthDefs stochastic.GrowthOps stochastic.GrowthCheck.
From Certigrad Require stochastic.RunFacts aevb.Transform aevb.AevbGraph.
From Certigrad Require stochastic.ShardMean.
From Certigrad Require aevb.IntegrateKl aevb.Reparameterize aevb.AevbUnbiased.

(** * core/: graphs, backprop and their proofs (Stdlib [R], Coquelicot's [is_derive]) *)

Module Core.

Section core_statements.
Import Coquelicot.Coquelicot.
Import Reals String List ListNotations.
Import Scalar Tensor Ops Graph WellFormed Backprop OpsSpec ListSums BackpropCorrect.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** checked deterministic graph, inputs of their sizes, operators in their
    domains: d/dt of the total cost along entry j of parameter p is entry j
    of p's backprop adjoint (Coquelicot is_derive) *)
Definition backprop_correct_statement : Prop :=
  forall (g : graph R) (inputs draws : env R),
  check_graph g = CheckOk ->
  deterministic g ->
  wf_data g inputs draws ->
  domains_hold g inputs draws ->
  forall (p : string) (j : nat),
  In p (g_params g) ->
  (j < shape_size (find_shape (shape_env g) p))%nat ->
  is_derive (fun t => total_cost R_ops g (forward R_ops g (set_entry inputs p j t) draws))
    (nth j (find_val inputs p) 0)
    (nth j (find_val (backprop R_ops g inputs draws) p) 0).

Theorem backprop_correct : backprop_correct_statement.
Proof. exact @Certigrad.core.BackpropCorrect.backprop_correct. Qed.

(** memoized backprop sweep = naive specification, over any scalar record
    (parameters are references) *)
Definition backprop_eq_naive_statement : Prop :=
  forall (T : Type) (K : scalar_ops T) (g : graph T) (inputs draws : env T),
  incl (g_params g) (map ref_name (all_refs g)) ->
  backprop K g inputs draws = naive_backprop K g inputs draws.

Theorem backprop_eq_naive : backprop_eq_naive_statement.
Proof. exact @Certigrad.core.BackpropNaive.backprop_eq_naive. Qed.

(** check_graph g = CheckOk -> wf_graph g *)
Definition check_graph_sound_statement : Prop :=
  forall (T : Type) (g : graph T), check_graph g = CheckOk -> wf_graph g.

Theorem check_graph_sound : check_graph_sound_statement.
Proof. exact @Certigrad.core.WellFormedSound.check_graph_sound. Qed.

(** check_data g values draws = CheckOk -> wf_data g values draws *)
Definition check_data_sound_statement : Prop :=
  forall (T : Type) (g : graph T) (values draws : env T),
  check_data g values draws = CheckOk -> wf_data g values draws.

Theorem check_data_sound : check_data_sound_statement.
Proof. exact @Certigrad.core.WellFormedSound.check_data_sound. Qed.

(** Hilbert's epsilon follows from constructive_indefinite_description +
    classic (why the audit allows Epsilon.epsilon_statement).  A [Type],
    not a [Prop]: the statement is a [sig] type, as Epsilon's is. *)
Definition epsilon_statement_of_allowlist_statement : Type :=
  forall (A : Type) (P : A -> Prop),
  inhabited A -> {x : A | (exists x0 : A, P x0) -> P x}.

Theorem epsilon_statement_of_allowlist : epsilon_statement_of_allowlist_statement.
Proof. exact @Certigrad.core.AxiomFacts.epsilon_statement_of_allowlist. Qed.

(** mvn_empirical_kl (log N(z; mu, sigma^2) - log N(z; 0, 1), summed): its
    pullbacks are its vector-Jacobian product ([dop_correct]: OpsSpec.v) *)
Definition mvn_empirical_kl_correct_statement : Prop :=
  dop_correct MvnEmpiricalKl.

Theorem mvn_empirical_kl_correct : mvn_empirical_kl_correct_statement.
Proof. exact @Certigrad.core.OpsCorrect.mvn_empirical_kl_correct. Qed.

(** the oracle's forward-once shortcut: on a successful forward_checked,
    backprop_from of the values it returned is backprop, over any scalar
    record *)
Definition backprop_from_checked_statement : Prop :=
  forall (T : Type) (K : scalar_ops T) (g : graph T) (inputs draws vals : env T),
  forward_checked K g inputs draws = inl vals ->
  ForwardOnce.backprop_from K g vals = backprop K g inputs draws.

Theorem backprop_from_checked : backprop_from_checked_statement.
Proof. exact @Certigrad.core.ForwardOnce.backprop_from_checked. Qed.

(** gemm on well-shaped arguments (length A = m*k, length B = k*n) is its
    loop form gemm_loops, which the oracle's array gemm transcribes: entry
    (i, j) the left fold over l = 0 .. k-1 of acc + A[i*k+l] * B[l*n+j] from
    zero, over any scalar record *)
Definition gemm_loops_eq_statement : Prop :=
  forall (T : Type) (K : scalar_ops T) (m k n : nat) (A B : list T),
  length A = (m * k)%nat -> length B = (k * n)%nat ->
  gemm K m k n A B = GemmLoops.gemm_loops K m k n A B.

Theorem gemm_loops_eq : gemm_loops_eq_statement.
Proof. exact @Certigrad.core.GemmLoops.gemm_loops_eq. Qed.

End core_statements.

End Core.

(** * analysis/: Leibniz rule, Gaussian integrals, expectation swaps
      (mathcomp-analysis, [is_derive x 1 f l]) *)

Module Analysis.

(** ** analysis/Leibniz.v (any [realType] [R], any measure [mu]) *)

Section leibniz_statements.
Import Preamble.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

(** d/dt \int_D f(t,x) dmu = \int_D d/dt f(t,x) dmu on ]a,b[ (dominated
    derivative, every x in D) *)
Definition leibniz_is_derive_statement : Prop :=
  forall d (T : measurableType d) (R : realType)
    (mu : {measure set T -> \bar R}) (D : set T), measurable D ->
  forall (f df : R -> T -> R) (g : T -> R) (a b : R),
  (forall t, t \in `]a, b[ -> mu.-integrable D (EFin \o f t)) ->
  (forall x, D x -> forall t, t \in `]a, b[ -> is_derive t 1 (f ^~ x) (df t x)) ->
  mu.-integrable D (EFin \o g) ->
  (forall x, D x -> forall t, t \in `]a, b[ -> `|df t x| <= g x) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun s => fine (\int[mu]_(x in D) (f s x)%:E)%E)
    (fine (\int[mu]_(x in D) (df t x)%:E)%E).

Theorem leibniz_is_derive : leibniz_is_derive_statement.
Proof. exact @Certigrad.analysis.Leibniz.leibniz_is_derive. Qed.

(** same, with pointwise hypotheses only outside a mu-null set *)
Definition leibniz_is_derive_ae_statement : Prop :=
  forall d (T : measurableType d) (R : realType)
    (mu : {measure set T -> \bar R}) (D N : set T),
  measurable D -> measurable N -> mu N = 0%E ->
  forall (f df : R -> T -> R) (g : T -> R) (a b : R),
  (forall t, t \in `]a, b[ -> mu.-integrable D (EFin \o f t)) ->
  (forall t, t \in `]a, b[ -> measurable_fun D (df t)) ->
  (forall x, (D `\` N) x -> forall t, t \in `]a, b[ -> is_derive t 1 (f ^~ x) (df t x)) ->
  mu.-integrable D (EFin \o g) ->
  (forall x, (D `\` N) x -> forall t, t \in `]a, b[ -> `|df t x| <= g x) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun s => fine (\int[mu]_(x in D) (f s x)%:E)%E)
    (fine (\int[mu]_(x in D) (df t x)%:E)%E).

Theorem leibniz_is_derive_ae : leibniz_is_derive_ae_statement.
Proof. exact @Certigrad.analysis.Leibniz.leibniz_is_derive_ae. Qed.

End leibniz_statements.

(** ** analysis/DeriveBridge.v ([R] is Stdlib's, [real_realType] the same
       type as a mathcomp [realType]; [Derive.is_derive] is Coquelicot's) *)

Section derive_bridge_statements.
Import Reals Coquelicot.Coquelicot Preamble.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

(** Coquelicot is_derive f x l <-> mathcomp-analysis is_derive x 1 f l on
    Stdlib R *)
Definition is_derive_Coquelicot_statement : Prop :=
  forall (f : R -> R) (x l : R),
  Derive.is_derive f x l <->
  is_derive (x : real_realType) 1 (f : real_realType -> real_realType) l.

Theorem is_derive_Coquelicot : is_derive_Coquelicot_statement.
Proof. exact @Certigrad.analysis.DeriveBridge.is_derive_Coquelicot. Qed.

(** the Leibniz rule stated with Coquelicot's is_derive *)
Definition leibniz_Coquelicot_statement : Prop :=
  forall d (T : measurableType d)
    (mu : {measure set T -> \bar real_realType}) (D : set T), measurable D ->
  forall (f df : R -> T -> R) (g : T -> R) (a b : R),
  (forall t, t \in `]a, b[ -> mu.-integrable D (EFin \o f t)) ->
  (forall x, D x -> forall t, t \in `]a, b[ -> Derive.is_derive (f ^~ x) t (df t x)) ->
  mu.-integrable D (EFin \o g) ->
  (forall x, D x -> forall t, t \in `]a, b[ -> `|df t x| <= g x) ->
  forall t, t \in `]a, b[ ->
  Derive.is_derive (fun s => fine (\int[mu]_(x in D) (f s x)%:E)%E) t
    (fine (\int[mu]_(x in D) (df t x)%:E)%E).

Theorem leibniz_Coquelicot : leibniz_Coquelicot_statement.
Proof. exact @Certigrad.analysis.DeriveBridge.leibniz_Coquelicot. Qed.

End derive_bridge_statements.

(** ** analysis/ExpectationSwap.v (here and in the sections below, [R] is
       [real_realType], Stdlib's reals as a mathcomp [realType], and
       [lambda] is Lebesgue measure on it; [gauss_expect m s f] is
       E_{x ~ N(m, s^2)}[f x], [gauss_pdf m s x] the density) *)

Section expectation_swap_statements.
Import Preamble matrix Gaussian ExpectationSwap.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

(** d/dt E_{x~N(m,s)}[F(t,x)] = E[dF/dt(t,x)] under an integrable bound on
    dF/dt (Lebesgue integral; mathcomp's is_derive, as in the whole of
    analysis/ except DeriveBridge.v) *)
Definition pathwise_swap_statement : Prop :=
  forall (m s : R) (f df : R -> R -> R) (g : R -> R) (a b : R),
  (forall t, t \in `]a, b[ -> gauss_integrable m s (f t)) ->
  (forall e t, t \in `]a, b[ -> is_derive t 1 (f ^~ e) (df t e)) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall e t, t \in `]a, b[ -> `|df t e| * gauss_pdf m s e <= g e) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect m s (f th)) (gauss_expect m s (df t)).

Theorem pathwise_swap : pathwise_swap_statement.
Proof. exact @Certigrad.analysis.ExpectationSwap.pathwise_swap. Qed.

(** d/dt E_{x~N(mu(t),s(t))}[h(x)] = E[h(x) * d/dt log p(x; mu(t), s(t))]
    under domination *)
Definition score_function_swap_statement : Prop :=
  forall (h : R -> R) (mu s dmu ds : R -> R) (g : R -> R) (a b : R),
  (forall t, t \in `]a, b[ -> is_derive t 1 mu (dmu t)) ->
  (forall t, t \in `]a, b[ -> is_derive t 1 s (ds t)) ->
  (forall t, t \in `]a, b[ -> 0 < s t) ->
  (forall t, t \in `]a, b[ -> gauss_integrable (mu t) (s t) h) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall x t, t \in `]a, b[ ->
     `|h x * gauss_score (mu t) (s t) (dmu t) (ds t) x| * gauss_pdf (mu t) (s t) x
       <= g x) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect (mu th) (s th) h)
    (gauss_expect (mu t) (s t)
       (fun x => h x * gauss_score (mu t) (s t) (dmu t) (ds t) x)).

Theorem score_function_swap : score_function_swap_statement.
Proof. exact @Certigrad.analysis.ExpectationSwap.score_function_swap. Qed.

(** pathwise swap, partial derivative in one entry of a vector parameter
    ([vec_upd th i t]: [th] with entry [i] replaced by [t]) *)
Definition pathwise_swap_vec_statement : Prop :=
  forall n (th : 'I_n -> R) (i : 'I_n) (a b m s : R)
    (F dF : ('I_n -> R) -> R -> R) (g : R -> R),
  th i \in `]a, b[ ->
  (forall t, t \in `]a, b[ -> gauss_integrable m s (F (vec_upd th i t))) ->
  (forall e t, t \in `]a, b[ ->
     is_derive t 1 (fun u => F (vec_upd th i u) e) (dF (vec_upd th i t) e)) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall e t, t \in `]a, b[ -> `|dF (vec_upd th i t) e| * gauss_pdf m s e <= g e) ->
  is_derive (th i) 1 (fun t => gauss_expect m s (F (vec_upd th i t)))
    (gauss_expect m s (dF th)).

Theorem pathwise_swap_vec : pathwise_swap_vec_statement.
Proof. exact @Certigrad.analysis.ExpectationSwap.pathwise_swap_vec. Qed.

(** pathwise swap, partial derivative in one entry of a matrix parameter
    ([mx_upd A i j t]: [A] with entry [(i, j)] replaced by [t]) *)
Definition pathwise_swap_mx_statement : Prop :=
  forall p q (A : 'M[R]_(p, q)) i j (a b m s : R)
    (F dF : 'M[R]_(p, q) -> R -> R) (g : R -> R),
  A i j \in `]a, b[ ->
  (forall t, t \in `]a, b[ -> gauss_integrable m s (F (mx_upd A i j t))) ->
  (forall e t, t \in `]a, b[ ->
     is_derive t 1 (fun u => F (mx_upd A i j u) e) (dF (mx_upd A i j t) e)) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall e t, t \in `]a, b[ -> `|dF (mx_upd A i j t) e| * gauss_pdf m s e <= g e) ->
  is_derive (A i j) 1 (fun t => gauss_expect m s (F (mx_upd A i j t)))
    (gauss_expect m s (dF A)).

Theorem pathwise_swap_mx : pathwise_swap_mx_statement.
Proof. exact @Certigrad.analysis.ExpectationSwap.pathwise_swap_mx. Qed.

(** score-function swap, one entry of a vector parameter *)
Definition score_function_swap_vec_statement : Prop :=
  forall n (th : 'I_n -> R) (i : 'I_n) (a b : R)
    (h : R -> R) (mu s dmu ds : ('I_n -> R) -> R) (g : R -> R),
  th i \in `]a, b[ ->
  (forall t, t \in `]a, b[ ->
     is_derive t 1 (fun u => mu (vec_upd th i u)) (dmu (vec_upd th i t))) ->
  (forall t, t \in `]a, b[ ->
     is_derive t 1 (fun u => s (vec_upd th i u)) (ds (vec_upd th i t))) ->
  (forall t, t \in `]a, b[ -> 0 < s (vec_upd th i t)) ->
  (forall t, t \in `]a, b[ ->
     gauss_integrable (mu (vec_upd th i t)) (s (vec_upd th i t)) h) ->
  lambda.-integrable setT (EFin \o g) ->
  (forall x t, t \in `]a, b[ ->
    `|h x * gauss_score (mu (vec_upd th i t)) (s (vec_upd th i t))
             (dmu (vec_upd th i t)) (ds (vec_upd th i t)) x|
      * gauss_pdf (mu (vec_upd th i t)) (s (vec_upd th i t)) x <= g x) ->
  is_derive (th i) 1
    (fun t => gauss_expect (mu (vec_upd th i t)) (s (vec_upd th i t)) h)
    (gauss_expect (mu th) (s th)
      (fun x => h x * gauss_score (mu th) (s th) (dmu th) (ds th) x)).

Theorem score_function_swap_vec : score_function_swap_vec_statement.
Proof. exact @Certigrad.analysis.ExpectationSwap.score_function_swap_vec. Qed.

End expectation_swap_statements.

(** ** analysis/GaussianValue.v and analysis/GaussianIntegral.v *)

Section gaussian_integral_statements.
Import Preamble Gaussian GaussianValue GaussianIntegral.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

(** \int exp(-x^2/2) dx = sqrt(2 pi) (Lebesgue integral on R;
    [gauss_const] is [Num.sqrt (2 * pi)]) *)
Definition gauss_integral_statement : Prop :=
  (\int[lambda]_x (expR (- (x ^+ 2 / 2)))%:E = gauss_const%:E)%E.

Theorem gauss_integral : gauss_integral_statement.
Proof. exact @Certigrad.analysis.GaussianValue.gauss_integral. Qed.

(** every density N(m, s^2), s > 0, integrates to 1 ([gauss_mass m s] is
    [gauss_expect m s (fun=> 1)]) *)
Definition gauss_mass_one_statement : Prop :=
  forall m s : R, 0 < s -> gauss_mass m s = 1.

Theorem gauss_mass_one : gauss_mass_one_statement.
Proof. exact @Certigrad.analysis.GaussianIntegral.gauss_mass_one. Qed.

(** E_{N(m,s^2)}[x] = m *)
Definition gauss_mean_statement : Prop :=
  forall m s : R, 0 < s -> gauss_expect m s (fun x => x) = m.

Theorem gauss_mean : gauss_mean_statement.
Proof. exact @Certigrad.analysis.GaussianIntegral.gauss_mean. Qed.

(** E_{N(m,s^2)}[(x-m)^2] = s^2 *)
Definition gauss_variance_statement : Prop :=
  forall m s : R, 0 < s -> gauss_expect m s (fun x => (x - m) ^+ 2) = s ^+ 2.

Theorem gauss_variance : gauss_variance_statement.
Proof. exact @Certigrad.analysis.GaussianIntegral.gauss_variance. Qed.

End gaussian_integral_statements.

(** ** analysis/SwapCorollaries.v *)

Section swap_corollaries_statements.
Import Preamble Gaussian ExpectationSwap.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

(** d/dmu E_{N(mu,1)}[x^2] = 2 mu, from the score-function swap *)
Definition deriv_mean_sq_statement : Prop :=
  forall mu : R,
  is_derive mu 1 (fun m => gauss_expect m 1 (fun x => x ^+ 2)) (2 * mu).

Theorem deriv_mean_sq : deriv_mean_sq_statement.
Proof. exact @Certigrad.analysis.SwapCorollaries.deriv_mean_sq. Qed.

(** d/dsigma E_{N(0,sigma^2)}[x^2] = 2 sigma, from the score-function swap *)
Definition deriv_sigma_sq_statement : Prop :=
  forall sigma : R, 0 < sigma ->
  is_derive sigma 1 (fun s => gauss_expect 0 s (fun x => x ^+ 2)) (2 * sigma).

Theorem deriv_sigma_sq : deriv_sigma_sq_statement.
Proof. exact @Certigrad.analysis.SwapCorollaries.deriv_sigma_sq. Qed.

(** d/dtheta E_{e~N(0,1)}[(theta+e)^2] = 2 theta, from the pathwise swap *)
Definition deriv_pathwise_sq_statement : Prop :=
  forall theta : R,
  is_derive theta 1 (fun th => gauss_expect 0 1 (fun e => (th + e) ^+ 2))
    (2 * theta).

Theorem deriv_pathwise_sq : deriv_pathwise_sq_statement.
Proof. exact @Certigrad.analysis.SwapCorollaries.deriv_pathwise_sq. Qed.

End swap_corollaries_statements.

(** ** analysis/GaussianND.v ([gauss_expect_n ms f]: E[f xs] for
       xs ~ N(mu, diag s^2), [ms] the list of pairs (m_i, s_i);
       [std_gauss_expect n f]: the same for N(0, I_n)) *)

Section gaussian_nd_statements.
Import Preamble ExpectationSwap GaussianND.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

(** N(mu, diag s^2) on R^n (iterated integrals), all s_i > 0: total mass 1 *)
Definition gauss_expect_n_mass_statement : Prop :=
  forall ms : seq (R * R), gauss_params_pos ms ->
  gauss_expect_n ms (fun=> 1) = 1.

Theorem gauss_expect_n_mass : gauss_expect_n_mass_statement.
Proof. exact @Certigrad.analysis.GaussianND.gauss_expect_n_mass. Qed.

(** the iterated expectation is the iterated Lebesgue integral of f times
    the product density *)
Definition gauss_expect_n_density_statement : Prop :=
  forall (ms : seq (R * R)) (f : seq R -> R),
  gauss_expect_n ms f =
  iter_integral (size ms) (fun xs => f xs * gauss_pdf_n ms xs).

Theorem gauss_expect_n_density : gauss_expect_n_density_statement.
Proof. exact @Certigrad.analysis.GaussianND.gauss_expect_n_density. Qed.

(** N(0, I_n): E[e_i] = 0 *)
Definition std_gauss_mean_statement : Prop :=
  forall n i, (i < n)%N ->
  std_gauss_expect n (fun e => nth 0 e i) = 0.

Theorem std_gauss_mean : std_gauss_mean_statement.
Proof. exact @Certigrad.analysis.GaussianND.std_gauss_mean. Qed.

(** N(0, I_n): E[e_i e_j] = [i = j] *)
Definition std_gauss_cov_statement : Prop :=
  forall n i j, (i < n)%N -> (j < n)%N ->
  std_gauss_expect n (fun e => nth 0 e i * nth 0 e j) = (i == j)%:R.

Theorem std_gauss_cov : std_gauss_cov_statement.
Proof. exact @Certigrad.analysis.GaussianND.std_gauss_cov. Qed.

(** d/dt E_{e~N(0,I_n)}[f(t,e)] = E[d/dt f(t,e)], f and df continuous in
    each coordinate, exponential growth bounds ([norm1 e] is sum_i |e_i|) *)
Definition std_pathwise_swap_statement : Prop :=
  forall n (f df : R -> seq R -> R) (a b C c : R),
  (forall e t, t \in `]a, b[ -> is_derive t 1 (f ^~ e) (df t e)) ->
  (forall t, t \in `]a, b[ -> sep_continuous (f t)) ->
  (forall t, t \in `]a, b[ -> sep_continuous (df t)) ->
  (forall e t, t \in `]a, b[ -> `|f t e| <= C * expR (c * norm1 e)) ->
  (forall e t, t \in `]a, b[ -> `|df t e| <= C * expR (c * norm1 e)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => std_gauss_expect n (f th)) (std_gauss_expect n (df t)).

Theorem std_pathwise_swap : std_pathwise_swap_statement.
Proof. exact @Certigrad.analysis.GaussianND.std_pathwise_swap. Qed.

(** the same for f on 'I_n -> R ([vec_of_seq n e]: entry i is the i-th draw) *)
Definition std_pathwise_swap_vec_statement : Prop :=
  forall n (f df : R -> ('I_n -> R) -> R) (a b C c : R),
  0 <= c ->
  (forall v t, t \in `]a, b[ -> is_derive t 1 (f ^~ v) (df t v)) ->
  (forall t, t \in `]a, b[ -> forall v i, continuous (fun y => f t (vec_upd v i y))) ->
  (forall t, t \in `]a, b[ -> forall v i, continuous (fun y => df t (vec_upd v i y))) ->
  (forall v t, t \in `]a, b[ -> `|f t v| <= C * expR (c * \sum_i `|v i|)) ->
  (forall v t, t \in `]a, b[ -> `|df t v| <= C * expR (c * \sum_i `|v i|)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => std_gauss_expect n (fun e => f th (vec_of_seq n e)))
    (std_gauss_expect n (fun e => df t (vec_of_seq n e))).

Theorem std_pathwise_swap_vec : std_pathwise_swap_vec_statement.
Proof. exact @Certigrad.analysis.GaussianND.std_pathwise_swap_vec. Qed.

End gaussian_nd_statements.

(** ** analysis/GaussianNDScore.v ([path_params n mu s t]: the parameters
       (mu_i t, s_i t) of the n coordinates; [score_sum n mu s dmu ds t xs]:
       sum_i d/dt log N(x_i; mu_i t, (s_i t)^2)) *)

Section gaussian_nd_score_statements.
Import Preamble GaussianND GaussianNDScore.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

(** d/dt E_{x~N(mu(t), diag s(t)^2)}[h(x)] on R^n = E[h(x) * sum_i
    score_i(x_i)], h continuous in each coordinate with exponential growth,
    parameters in a box *)
Definition score_function_swap_n_statement : Prop :=
  forall n (mu s dmu ds : nat -> R -> R) (h : seq R -> R)
    (a b C c M s1 s2 D1 D2 : R),
  0 < s1 ->
  (forall i t, (i < n)%N -> t \in `]a, b[ -> is_derive t 1 (mu i) (dmu i t)) ->
  (forall i t, (i < n)%N -> t \in `]a, b[ -> is_derive t 1 (s i) (ds i t)) ->
  (forall i t, (i < n)%N -> t \in `]a, b[ ->
     [/\ s1 <= s i t, s i t <= s2, `|mu i t| <= M, `|dmu i t| <= D1
       & `|ds i t| <= D2]) ->
  sep_continuous h -> (forall xs, `|h xs| <= C * expR (c * norm1 xs)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect_n (path_params n mu s th) h)
    (gauss_expect_n (path_params n mu s t)
       (fun xs => h xs * score_sum n mu s dmu ds t xs)).

Theorem score_function_swap_n : score_function_swap_n_statement.
Proof. exact @Certigrad.analysis.GaussianNDScore.score_function_swap_n. Qed.

(** the same for one moving mean: E[h(x) (x_j - t)/s_j^2] *)
Definition score_function_swap_n_mean_statement : Prop :=
  forall n j (m s : nat -> R) (h : seq R -> R) (a b C c M s1 s2 : R),
  (j < n)%N -> 0 < s1 ->
  (forall i, (i < n)%N -> [/\ s1 <= s i, s i <= s2 & `|m i| <= M]) ->
  `|a| <= M -> `|b| <= M ->
  sep_continuous h -> (forall xs, `|h xs| <= C * expR (c * norm1 xs)) ->
  forall t, t \in `]a, b[ ->
  is_derive t 1 (fun th => gauss_expect_n
      (path_params n (fun i u => if i == j then u else m i) (fun i _ => s i) th) h)
    (gauss_expect_n
      (path_params n (fun i u => if i == j then u else m i) (fun i _ => s i) t)
      (fun xs => h xs * ((nth 0 xs j - t) / s j ^+ 2))).

Theorem score_function_swap_n_mean : score_function_swap_n_mean_statement.
Proof. exact @Certigrad.analysis.GaussianNDScore.score_function_swap_n_mean. Qed.

End gaussian_nd_score_statements.

End Analysis.

(** * stochastic/: semantics, preconditions, unbiasedness, decision
      procedures (Stdlib [R], Coquelicot's [is_derive], except where said;
      [Stochastic.x] is [x] of the semantics file stochastic/Stochastic.v) *)

Module Stochastic.

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

End Stochastic.

(** * aevb/: graph transformations and the certified AEVB (Stdlib [R],
      Coquelicot's [is_derive]) *)

Module Aevb.

Section aevb_statements.
Import Coquelicot.Coquelicot.
Import Reals String List ListNotations.
Import Ops Graph WellFormed.
Import Certigrad.stochastic.Stochastic StochasticPre RunFacts Transform AevbGraph.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** any graph where integrate_kl applies (kl = mvn_empirical_kl(mu, sigma,
    z), z ~ mvn(mu, sigma)): domains + integrability => same expected cost
    with kl = mvn_kl(mu, sigma) *)
Definition integrate_kl_expected_cost_statement : Prop :=
  forall (kl : string) (g g' : graph R) (inputs : env R),
  check_graph g = CheckOk -> integrate_kl kl g = Ok g' -> inputs_fit g inputs ->
  run_domains g inputs -> dintegrable (cost_of g) (graph_dist g inputs) ->
  expected_cost g' inputs = expected_cost g inputs.

Theorem integrate_kl_expected_cost : integrate_kl_expected_cost_statement.
Proof. exact @Certigrad.aevb.IntegrateKl.integrate_kl_expected_cost. Qed.

(** the same at every input of an interval where the family preconditions
    hold *)
Definition integrate_kl_preserves_statement : Prop :=
  forall (kl : string) (g g' : graph R) (inputs : env R) (p : string)
    (j : nat) (a b : R),
  check_graph g = CheckOk -> integrate_kl kl g = Ok g' -> inputs_fit g inputs ->
  reachable_domains g inputs p j a b -> is_gintegrable g inputs p j a b ->
  forall t, a < t < b ->
    expected_cost g' (set_input_entry inputs p j t) = expected_cost g (set_input_entry inputs p j t).

Theorem integrate_kl_preserves : integrate_kl_preserves_statement.
Proof. exact @Certigrad.aevb.IntegrateKl.integrate_kl_preserves. Qed.

(** integrate_kl keeps a graph well-formed *)
Definition integrate_kl_check_statement : Prop :=
  forall (kl : string) (g g' : graph R),
  check_graph g = CheckOk -> integrate_kl kl g = Ok g' -> check_graph g' = CheckOk.

Theorem integrate_kl_check : integrate_kl_check_statement.
Proof. exact @Certigrad.aevb.IntegrateKl.integrate_kl_check. Qed.

(** any graph where reparameterize applies (z ~ mvn(mu, sigma) -> eps ~
    mvn_std, z = mul_add(sigma, eps, mu)): domains => same expected cost,
    and integrable iff integrable *)
Definition reparameterize_expected_cost_statement : Prop :=
  forall (z eps : string) (g g' : graph R) (inputs : env R),
  check_graph g = CheckOk -> reparameterize z eps g = Ok g' -> inputs_fit g inputs ->
  run_domains g inputs ->
  expected_cost g' inputs = expected_cost g inputs /\
  (dintegrable (cost_of g') (graph_dist g' inputs) <-> dintegrable (cost_of g) (graph_dist g inputs)).

Theorem reparameterize_expected_cost : reparameterize_expected_cost_statement.
Proof. exact @Certigrad.aevb.Reparameterize.reparameterize_expected_cost. Qed.

(** the same at every input of an interval where reachable_domains holds *)
Definition reparameterize_preserves_statement : Prop :=
  forall (z eps : string) (g g' : graph R) (inputs : env R) (p : string)
    (j : nat) (a b : R),
  check_graph g = CheckOk -> reparameterize z eps g = Ok g' -> inputs_fit g inputs ->
  reachable_domains g inputs p j a b ->
  forall t, a < t < b ->
    expected_cost g' (set_input_entry inputs p j t) = expected_cost g (set_input_entry inputs p j t) /\
    (dintegrable (cost_of g') (graph_dist g' (set_input_entry inputs p j t)) <->
     dintegrable (cost_of g) (graph_dist g (set_input_entry inputs p j t))).

Theorem reparameterize_preserves : reparameterize_preserves_statement.
Proof. exact @Certigrad.aevb.Reparameterize.reparameterize_preserves. Qed.

(** reparameterize keeps a graph well-formed (over any scalar type) *)
Definition reparameterize_check_statement : Prop :=
  forall (T : Type) (z eps : string) (g g' : graph T),
  check_graph g = CheckOk -> reparameterize z eps g = Ok g' -> check_graph g' = CheckOk.

Theorem reparameterize_check : reparameterize_check_statement.
Proof. exact @Certigrad.aevb.Reparameterize.reparameterize_check. Qed.

(** the AEVB train-vae trains (closed-form KL, reparameterized): for all
    sizes, weights, images and weight entries, E[backprop] = d/dtheta of
    the naive AEVB's expected cost (z ~ N(mu, sigma^2), empirical KL); no
    precondition left *)
Definition aevb_unbiased_statement : Prop :=
  forall (n_in n_hid n_lat bs : nat) (inputs : env R) (p : string) (j : nat),
  (0 < n_in)%nat -> (0 < n_hid)%nat -> (0 < n_lat)%nat -> (0 < bs)%nat ->
  inputs_fit (aevb_graph n_in n_hid n_lat bs) inputs ->
  In p aevb_params -> (j < length (find_val inputs p))%nat ->
  is_derive (fun t => expected_cost (naive_aevb n_in n_hid n_lat bs) (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0)
    (expected_grad (aevb_graph n_in n_hid n_lat bs) inputs p j).

Theorem aevb_unbiased : aevb_unbiased_statement.
Proof. exact @Certigrad.aevb.AevbUnbiased.aevb_unbiased. Qed.

End aevb_statements.

End Aevb.

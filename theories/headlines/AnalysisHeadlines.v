(** * The headline theorems of theories/analysis/: Leibniz rule, Gaussian
      integrals, expectation swaps (mathcomp-analysis, [is_derive x 1 f l])

    Each statement written out in full and proved by [exact] of the
    original (theories/headlines/README.md; checked by audit/audit.py). *)

From Certigrad Require headlines.Libraries.

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

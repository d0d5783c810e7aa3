(** * The headline theorems of theories/core/: graphs, backprop and their
      proofs (Stdlib [R], Coquelicot's [is_derive])

    Each statement written out in full and proved by [exact] of the
    original (theories/headlines/README.md; checked by audit/audit.py). *)

From Certigrad Require headlines.Libraries.

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

(** * The headline theorems of theories/aevb/: graph transformations and the
      certified AEVB (Stdlib [R], Coquelicot's [is_derive])

    Each statement written out in full and proved by [exact] of the
    original (theories/headlines/README.md; checked by audit/audit.py). *)

From Certigrad Require headlines.Libraries.

Section aevb_statements.
Import Coquelicot.Coquelicot.
Import Reals String List ListNotations.
Import Ops Graph WellFormed.
Import Certigrad.stochastic.Stochastic StochasticPre RunFacts Transform AevbGraph.
Import BackpropEst UnbiasedEst.
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

(** the same for the downstream estimator (cg.Runtime's default), with
    any baselines: the trained graph's noise is standard normal, so the
    downstream estimate is backprop's at every draw *)
Definition aevb_downstream_unbiased_statement : Prop :=
  forall (n_in n_hid n_lat bs : nat) (inputs : env R) (baselines : list (string * string))
    (p : string) (j : nat),
  (0 < n_in)%nat -> (0 < n_hid)%nat -> (0 < n_lat)%nat -> (0 < bs)%nat ->
  inputs_fit (aevb_graph n_in n_hid n_lat bs) inputs ->
  In p aevb_params -> (j < length (find_val inputs p))%nat ->
  is_derive (fun t => expected_cost (naive_aevb n_in n_hid n_lat bs) (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0)
    (expected_grad_est (Downstream baselines) (aevb_graph n_in n_hid n_lat bs) inputs p j).

Theorem aevb_downstream_unbiased : aevb_downstream_unbiased_statement.
Proof. exact @Certigrad.aevb.AevbDownstream.aevb_downstream_unbiased. Qed.

End aevb_statements.

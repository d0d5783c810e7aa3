(** * The AEVB theorem: the graph [train-vae] trains has unbiased gradients

    [aevb_unbiased]: for all sizes, all weights and all images [x], and
    every entry of every weight, the expectation of the sampled gradient
    that [backprop] computes on [aevb_graph] (AevbGraph.v: closed-form KL,
    reparameterized noise; the graph of python/certigrad/vae.py) is the
    derivative of the expected cost of Certigrad's naive AEVB
    ([naive_aevb]: z drawn from N(mu, sigma^2), empirical KL) with respect
    to that entry.  No precondition is left: every one is proved here.

    Route:
    - [aevb_graph] is what the two certified transformations compute from
      [naive_aevb] ([aevb_transform]); [integrate_kl_expected_cost] and
      [reparameterize_expected_cost] preserve the expected cost at every
      input, given the operator domains (decided by the sign analysis,
      [sign_check_sound]) and, for [integrate_kl], the integrability of
      the naive graph's cost;
    - that integrability is transported by [reparameterize_expected_cost]
      from the reparameterized naive graph [naive_rep], where the growth
      analysis decides it ([growth_check_pre]);
    - on [aevb_graph] itself, [backprop_unbiased] applies with every
      precondition decided: well-formedness ([aevb_check], by computation
      for symbolic sizes), domains ([sign_check]), integrability and
      domination ([growth_check]). *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Lia Lra.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed WellFormedSound GraphFacts ListSums.
From Certigrad Require Import Stochastic StochasticPre.
From Certigrad Require Import Unbiased UnbiasedExamples RunFacts Transform AevbGraph.
From Certigrad Require Import DistRel Reparameterize IntegrateKl GrowthDefs StdFlatten GrowthOps GrowthCheck.
Import ListNotations.

Local Open Scope R_scope.

(** * Well-formedness for symbolic sizes *)

Lemma shape_valid_mat (n m : nat) : (0 < n)%nat -> (0 < m)%nat -> shape_valid [n; m] = true.
Proof. intros Hn Hm. destruct n as [|n]; [lia|]. destruct m as [|m]; [lia|]. reflexivity. Qed.

(** Runs [check_graph] on a graph whose dimensions are positive variables. *)
Ltac check_sizes :=
  unfold check_graph;
  repeat (cbn;
    repeat match goal with
    | |- context [shape_eqb ?x ?x] => rewrite shape_eqb_refl
    | |- context [Nat.eqb ?x ?x] => rewrite Nat.eqb_refl
    end);
  reflexivity.

Section Sizes.
Variables n_in n_hid n_lat bs : nat.
Hypothesis Hin : (0 < n_in)%nat.
Hypothesis Hhid : (0 < n_hid)%nat.
Hypothesis Hlat : (0 < n_lat)%nat.
Hypothesis Hbs : (0 < bs)%nat.

Local Ltac sizes :=
  destruct n_in as [|n_in']; [lia|]; destruct n_hid as [|n_hid']; [lia|];
  destruct n_lat as [|n_lat']; [lia|]; destruct bs as [|bs']; [lia|].

Lemma aevb_check : check_graph (aevb_graph (T := R) n_in n_hid n_lat bs) = CheckOk.
Proof. sizes. check_sizes. Qed.

Lemma naive_aevb_check : check_graph (naive_aevb (T := R) n_in n_hid n_lat bs) = CheckOk.
Proof. sizes. check_sizes. Qed.

(** * Domains *)

Lemma aevb_sign : sign_check (aevb_graph n_in n_hid n_lat bs) = true.
Proof. reflexivity. Qed.

Lemma naive_aevb_sign : sign_check (naive_aevb n_in n_hid n_lat bs) = true.
Proof. reflexivity. Qed.

(** * The intermediate graphs *)

(** The naive graph with its KL integrated (before reparameterizing). *)
Definition kl_integrated : graph R :=
  match integrate_kl "kl" (naive_aevb n_in n_hid n_lat bs) with
  | Ok g => g | Err _ => naive_aevb n_in n_hid n_lat bs end.

(** The naive graph reparameterized (its KL still empirical). *)
Definition naive_rep : graph R :=
  match reparameterize "z" "eps" (naive_aevb n_in n_hid n_lat bs) with
  | Ok g => g | Err _ => naive_aevb n_in n_hid n_lat bs end.

Lemma kl_integrated_eq : integrate_kl "kl" (naive_aevb n_in n_hid n_lat bs) = Ok kl_integrated.
Proof. reflexivity. Qed.

Lemma kl_integrated_reparam :
  reparameterize "z" "eps" kl_integrated = Ok (aevb_graph n_in n_hid n_lat bs).
Proof. reflexivity. Qed.

Lemma naive_rep_eq : reparameterize "z" "eps" (naive_aevb n_in n_hid n_lat bs) = Ok naive_rep.
Proof. reflexivity. Qed.

Lemma kl_integrated_check : check_graph kl_integrated = CheckOk.
Proof. unfold kl_integrated. sizes. check_sizes. Qed.

Lemma naive_rep_check : check_graph naive_rep = CheckOk.
Proof. unfold naive_rep. sizes. check_sizes. Qed.

Lemma kl_integrated_sign : sign_check kl_integrated = true.
Proof. reflexivity. Qed.

(** * Integrability: the growth analysis passes *)

Definition is_ok {A : Type} (r : res A) : bool := match r with Ok _ => true | Err _ => false end.

Lemma ok_of_is_ok {A : Type} (r : res A) : is_ok r = true -> exists a, r = Ok a.
Proof. destruct r as [a|m]; simpl; [eauto|discriminate]. Qed.

(* [vm_compute]: the walk only reads names and operators, never the sizes. *)
Lemma aevb_growth : exists tags, growth_check dop_gtag (aevb_graph n_in n_hid n_lat bs) = Ok tags.
Proof. apply ok_of_is_ok. vm_compute. reflexivity. Qed.

Lemma naive_rep_growth : exists tags, growth_check dop_gtag naive_rep = Ok tags.
Proof. apply ok_of_is_ok. vm_compute. reflexivity. Qed.

(** All four graphs have the same inputs. *)
Lemma aevb_inputs_fit (inputs : env R) :
  inputs_fit (aevb_graph n_in n_hid n_lat bs) inputs ->
  inputs_fit (naive_aevb n_in n_hid n_lat bs) inputs /\ inputs_fit kl_integrated inputs /\
  inputs_fit naive_rep inputs.
Proof. intros H. repeat split; exact H. Qed.

End Sizes.


(** * The theorem *)

Section Chain.
Variables n_in n_hid n_lat bs : nat.
Hypothesis Hin : (0 < n_in)%nat.
Hypothesis Hhid : (0 < n_hid)%nat.
Hypothesis Hlat : (0 < n_lat)%nat.
Hypothesis Hbs : (0 < bs)%nat.

Local Notation naive := (naive_aevb (T := R) n_in n_hid n_lat bs).
Local Notation aevb := (aevb_graph (T := R) n_in n_hid n_lat bs).
Local Notation mid := (kl_integrated n_in n_hid n_lat bs).
Local Notation rep := (naive_rep n_in n_hid n_lat bs).

(** On the interval around the parameter entry, the trained graph and the
    naive graph have the same expected cost. *)
Lemma aevb_same_expected_cost (inputs : env R) (p : string) (j : nat) (a b t : R) :
  inputs_fit aevb inputs -> a < t < b ->
  expected_cost aevb (set_input_entry inputs p j t) = expected_cost naive (set_input_entry inputs p j t).
Proof.
  intros Hfit Ht.
  destruct (aevb_inputs_fit n_in n_hid n_lat bs inputs Hfit) as [Hfn [Hfm Hfr]].
  set (it := set_input_entry inputs p j t).
  assert (Hdom_n : run_domains naive it).
  { apply (reachable_domains_at _ _ p j a b); [|exact Ht].
    apply sign_check_sound, naive_aevb_sign. }
  assert (Hdom_m : run_domains mid it).
  { apply (reachable_domains_at _ _ p j a b); [|exact Ht].
    apply sign_check_sound, kl_integrated_sign. }
  (* the naive cost is integrable: transported from the reparameterized naive graph *)
  assert (Hint_n : dintegrable (cost_of naive) (graph_dist naive it)).
  { destruct (naive_rep_growth n_in n_hid n_lat bs) as [tags Hg].
    destruct (growth_check_sound_pre rep inputs p j a b tags) as [HI _]; [| exact Hfr | exact Hg |].
    - apply naive_rep_check; assumption.
    - destruct (reparameterize_expected_cost
                  "z" "eps" naive rep it) as [_ Hiff].
      + apply naive_aevb_check; assumption.
      + apply naive_rep_eq.
      + apply inputs_fit_set_input_entry, Hfn.
      + exact Hdom_n.
      + apply Hiff. apply (is_gintegrable_at _ _ p j a b); assumption. }
  rewrite <- (integrate_kl_expected_cost "kl" naive mid it); [| apply naive_aevb_check; assumption
    | apply kl_integrated_eq | apply inputs_fit_set_input_entry, Hfn | exact Hdom_n | exact Hint_n].
  destruct (reparameterize_expected_cost
              "z" "eps" mid aevb it) as [E _].
  - apply kl_integrated_check; assumption.
  - apply kl_integrated_reparam.
  - apply inputs_fit_set_input_entry, Hfm.
  - exact Hdom_m.
  - exact E.
Qed.

Theorem aevb_unbiased_in (inputs : env R) (p : string) (j : nat) :
  inputs_fit aevb inputs -> In p aevb_params -> (j < length (find_val inputs p))%nat ->
  is_derive (fun t => expected_cost naive (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0) (expected_grad aevb inputs p j).
Proof.
  intros Hfit Hp Hj.
  set (t0 := nth j (find_val inputs p) 0).
  assert (Hab : t0 - 1 < t0 < t0 + 1) by lra.
  apply (is_derive_ext_loc (fun t => expected_cost aevb (set_input_entry inputs p j t))).
  { apply (locally_interval _ t0 (t0 - 1) (t0 + 1)); [simpl; lra|simpl; lra|].
    intros t H1 H2. apply (aevb_same_expected_cost inputs p j (t0 - 1) (t0 + 1)); [exact Hfit|].
    simpl in H1, H2. lra. }
  destruct (aevb_growth n_in n_hid n_lat bs) as [tags Hg].
  assert (Hchk : check_graph aevb = CheckOk) by (apply aevb_check; assumption).
  destruct (growth_check_sound_pre aevb inputs p j (t0 - 1) (t0 + 1) tags Hchk Hfit Hg) as [HI HD].
  apply (backprop_unbiased aevb inputs p j (t0 - 1) (t0 + 1)); try assumption.
  - (* the entry exists *)
    pose proof (input_values_sized aevb inputs (WellFormedSound.check_graph_sound _ Hchk) Hfit p) as Hs.
    rewrite <- Hs; [exact Hj|].
    rewrite GraphFacts.input_senv_names. unfold input_names. simpl.
    simpl in Hp. tauto.
  - apply sign_check_sound, aevb_sign.
Qed.

End Chain.

(** The headline, as a proposition. *)
Definition aevb_unbiased_statement : Prop :=
  forall (n_in n_hid n_lat bs : nat) (inputs : env R) (p : string) (j : nat),
  (0 < n_in)%nat -> (0 < n_hid)%nat -> (0 < n_lat)%nat -> (0 < bs)%nat ->
  inputs_fit (aevb_graph n_in n_hid n_lat bs) inputs ->
  In p aevb_params -> (j < length (find_val inputs p))%nat ->
  is_derive (fun t => expected_cost (naive_aevb n_in n_hid n_lat bs) (set_input_entry inputs p j t))
    (nth j (find_val inputs p) 0)
    (expected_grad (aevb_graph n_in n_hid n_lat bs) inputs p j).

Theorem aevb_unbiased : aevb_unbiased_statement.
Proof.
  intros n_in n_hid n_lat bs inputs p j Hin Hhid Hlat Hbs Hfit Hp Hj.
  exact (aevb_unbiased_in n_in n_hid n_lat bs Hin Hhid Hlat Hbs inputs p j Hfit Hp Hj).
Qed.

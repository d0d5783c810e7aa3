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
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed Stochastic StochasticPre.
From Certigrad Require Import Unbiased UnbiasedExamples RunFacts Transform AevbGraph.
From Certigrad Require Import DistRel Reparameterize GrowthDefs StdFlatten GrowthCheck.
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

Lemma kl_integrated_sign : sign_check kl_integrated = true.
Proof. reflexivity. Qed.

(** All four graphs have the same inputs. *)
Lemma aevb_inputs_fit (inputs : env R) :
  inputs_fit (aevb_graph n_in n_hid n_lat bs) inputs ->
  inputs_fit (naive_aevb n_in n_hid n_lat bs) inputs /\ inputs_fit kl_integrated inputs /\
  inputs_fit naive_rep inputs.
Proof. intros H. repeat split; exact H. Qed.

End Sizes.


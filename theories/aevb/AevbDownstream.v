(** * The AEVB theorem for the downstream estimator

    [aevb_downstream_unbiased]: [aevb_unbiased] for the estimate of
    [backprop_est (Downstream bs)] (the default estimator of [cg.Runtime]),
    whatever the baselines [bs]: the trained graph's only noise is
    standard normal, so at every draw the downstream estimate is
    [backprop]'s ([expected_grad_downstream_std]). *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Lia Lra.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormedSound GraphFacts ListSums.
From Certigrad Require Import Stochastic StochasticPre BackpropEst UnbiasedEst UnbiasedDownstream.
From Certigrad Require Import StdFlatten UnbiasedExamples AevbGraph AevbUnbiased.
Import ListNotations.
Local Open Scope R_scope.

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
Proof.
  intros n_in n_hid n_lat bs inputs bls p j Hin Hhid Hlat Hbs Hfit Hp Hj.
  set (t0 := nth j (find_val inputs p) 0).
  assert (Hchk := aevb_check n_in n_hid n_lat bs Hin Hhid Hlat Hbs).
  rewrite (expected_grad_downstream_std _ inputs bls p j (t0 - 1) (t0 + 1) Hchk Hfit).
  - exact (aevb_unbiased n_in n_hid n_lat bs inputs p j Hin Hhid Hlat Hbs Hfit Hp Hj).
  - exact Hp.
  - pose proof (input_values_sized _ inputs (check_graph_sound _ Hchk) Hfit p) as Hs.
    rewrite <- Hs; [exact Hj|].
    rewrite input_senv_names. unfold input_names. simpl. simpl in Hp. tauto.
  - unfold t0. lra.
  - apply sign_check_sound, aevb_sign.
  - vm_compute. reflexivity.
Qed.

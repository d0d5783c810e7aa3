(** * The checker at work: the AEVB, ex1 and ex2 are certified by computation

    [certify] (Certify.v) accepts, by [vm_compute]:
    - [ex1] (UnbiasedExamples.v: [x ~ N(theta, exp theta)], cost [x * x]),
      after reparameterizing [x];
    - [ex2] (a one-unit network on [z ~ N(0, 1)] with a Bernoulli cost);
    - the trained AEVB graph [aevb_graph] (closed-form KL, [mvn_std] noise),
      Certigrad's naive AEVB [naive_aevb] (empirical KL, [mvn] noise,
      reparameterized by the checker) and the one between them
      ([kl_integrated]: closed-form KL, [mvn] noise), for all positive sizes: the shape
      check runs symbolically ([check_sizes], AevbUnbiased.v), the rest of
      the checker reads only names and operators.
    Each lemma then gives the unbiasedness theorem for that graph through
    [certify_sound]. *)

From Coq Require Import Reals QArith String List Lia.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed Transform.
From Certigrad Require Import UnbiasedExamples AevbGraph AevbUnbiased Intervals GrowthBoxes Certify.
Import ListNotations.

Lemma ex1_certified : certify ex1 [] = Certified.
Proof. vm_compute. reflexivity. Qed.

Lemma ex2_certified : certify ex2 [] = Certified.
Proof. vm_compute. reflexivity. Qed.

(** [ex2] with its label in a box: still certified. *)
Lemma ex2_certified_box : certify ex2 [("y", (Some 0%Q, Some 1%Q))] = Certified.
Proof. vm_compute. reflexivity. Qed.

Lemma ex1_mvn : first_mvn (g_nodes ex1) = Some "x"%string.
Proof. reflexivity. Qed.

Section Sizes.
Variables n_in n_hid n_lat bs : nat.
Hypothesis Hin : (0 < n_in)%nat.
Hypothesis Hhid : (0 < n_hid)%nat.
Hypothesis Hlat : (0 < n_lat)%nat.
Hypothesis Hbs : (0 < bs)%nat.

Lemma certified_of_loop (g : graph R) (boxes : list (string * itv)) :
  box_error g boxes = None -> check_graph g = CheckOk ->
  (exists g', certify_loop (length (g_nodes g)) (input_base g boxes) (box_tags g boxes) g = inl g') ->
  certify g boxes = Certified.
Proof.
  intros H1 H2 [g' H3]. unfold certify. rewrite (certify_graph_parts g g' boxes H1 H2 H3). reflexivity.
Qed.

Definition is_inl {A B : Type} (x : A + B) : bool := match x with inl _ => true | inr _ => false end.

Lemma inl_of_is_inl {A B : Type} (x : A + B) : is_inl x = true -> exists a, x = inl a.
Proof. destruct x; simpl; [eauto|discriminate]. Qed.

Lemma aevb_certified : certify (aevb_graph (T := R) n_in n_hid n_lat bs) [] = Certified.
Proof.
  apply certified_of_loop; [reflexivity|apply aevb_check; assumption|].
  apply inl_of_is_inl. vm_compute. reflexivity.
Qed.

Lemma naive_aevb_certified : certify (naive_aevb (T := R) n_in n_hid n_lat bs) [] = Certified.
Proof.
  apply certified_of_loop; [reflexivity|apply naive_aevb_check; assumption|].
  apply inl_of_is_inl. vm_compute. reflexivity.
Qed.

(** The AEVB with the closed-form KL but [z ~ mvn] (not reparameterized). *)
Lemma kl_integrated_certified : certify (kl_integrated n_in n_hid n_lat bs) [] = Certified.
Proof.
  apply certified_of_loop; [reflexivity|apply kl_integrated_check; assumption|].
  apply inl_of_is_inl. vm_compute. reflexivity.
Qed.

End Sizes.

(** A boxed data input [s] in [[1/4, 4]]: the sigma of [z ~ mvn(m, s)] and
    of [mvn_kl(m, s)], and the operand of [log]: certified; on [[0, 4]] the
    checker refuses the node [z]. *)
Definition boxed : graph R := {|
  g_inputs := [mk_ref "s" []; mk_ref "m" []];
  g_params := ["m"];
  g_nodes := [NRand (mk_ref "z" []) Mvn ["m"; "s"];
              NDet (mk_ref "k" []) MvnKl ["m"; "s"];
              NDet (mk_ref "l" []) Log ["s"];
              NDet (mk_ref "c" []) Mul ["z"; "l"]];
  g_costs := ["k"; "c"] |}.

Lemma boxed_certified : certify boxed [("s"%string, (Some (1 # 4)%Q, Some 4%Q))] = Certified.
Proof. vm_compute. reflexivity. Qed.

Lemma boxed_refused :
  certify boxed [("s"%string, (Some 0%Q, Some 4%Q))] =
  Rejected "z" "mvn: cannot establish sigma > 0 for parent 's' on the boxes".
Proof. vm_compute. reflexivity. Qed.

(** [z ~ N(0, 1)]: [exp z] (lognormal, [z] linear in the draw) is
    certified; [exp (exp z)], whose expectation is infinite, is refused at
    the outer [exp]. *)
Definition lognormal (twice : bool) : graph R := {|
  g_inputs := [mk_ref "m" []];
  g_params := ["m"];
  g_nodes := [NRand (mk_ref "z" []) MvnStd [];
              NDet (mk_ref "u" []) MulAdd ["m"; "z"; "m"];
              NDet (mk_ref "a" []) Exp ["u"]] ++
             (if twice then [NDet (mk_ref "b" []) Exp ["a"]] else []);
  g_costs := [if twice then "b" else "a"]%string |}.

Lemma lognormal_certified : certify (lognormal false) [] = Certified.
Proof. vm_compute. reflexivity. Qed.

Lemma exp_exp_refused :
  certify (lognormal true) [] =
  Rejected "b" "exp: exp of a value that grows faster than linearly in the draws (its expectation need not be finite)".
Proof. vm_compute. reflexivity. Qed.

(** * Graphs whose noise is standard Gaussian: one block of draws

    When every random node of a graph is [mvn_std], no density depends on
    the parameter or on earlier values, so the graph's family of
    distributions ([pgraph], StochasticPre.v) is [N] standard-normal draws
    followed by a deterministic run:

      pnodes se ns valsC draws
      = pdraw_list (repeat (gauss_pdf 0 1) N)
          (fun xs => PRet (fun t => det_run se ns xs 0 (valsC t) draws))

    ([pnodes_std]), where [N = n_draws ns] and [det_run] runs the nodes
    with all the draws given at once, each random node taking the next
    [shape_size] entries of [xs].  Every value is then a function of the
    parameter and of the whole list of draws, which is what the growth
    analysis (GrowthCheck.v) and the preconditions of StdNormalPre.v talk
    about. *)

From Coquelicot Require Import Coquelicot.
From Coq Require Import Reals String List Arith Lia FunctionalExtensionality.
From Certigrad Require Import Scalar Tensor TensorFacts Ops Graph Stochastic StochasticPre.
Import ListNotations.

Local Open Scope list_scope.
Local Open Scope R_scope.

(** Every random node is [mvn_std]. *)
Definition all_std (ns : list (node R)) : bool :=
  forallb (fun n => match n with NRand _ MvnStd _ => true | NRand _ _ _ => false | NDet _ _ _ => true end) ns.

(** The number of scalar draws of the nodes. *)
Fixpoint n_draws (ns : list (node R)) : nat :=
  match ns with
  | [] => 0
  | NDet _ _ _ :: ns' => n_draws ns'
  | NRand r _ _ :: ns' => shape_size (ref_shape r) + n_draws ns'
  end.

(** Entries [k], ..., [k + n - 1] of [xs] (zeros past its end). *)
Definition draw_segment (k n : nat) (xs : list R) : list R :=
  map (fun i => nth (k + i) xs 0) (seq 0 n).

(** Run the nodes with all draws given in [xs], the next random node
    taking its entries from position [k]. *)
Fixpoint det_run (se : senv) (ns : list (node R)) (xs : list R) (k : nat) (vals draws : env R)
    : env R * env R :=
  match ns with
  | [] => (vals, draws)
  | NDet r o ps :: ns' =>
      det_run se ns' xs k
        ((ref_name r, dop_forward R_ops o (parent_shapes se ps) (map (find_val vals) ps)) :: vals)
        draws
  | NRand r _ _ :: ns' =>
      let x := draw_segment k (shape_size (ref_shape r)) xs in
      det_run se ns' xs (k + shape_size (ref_shape r)) ((ref_name r, x) :: vals)
        ((ref_name r, x) :: draws)
  end.

(** The values of a run do not depend on the draws environment it
    accumulates. *)
Lemma det_run_vals (se : senv) (ns : list (node R)) :
  forall (xs : list R) (k : nat) (vals d1 d2 : env R),
  fst (det_run se ns xs k vals d1) = fst (det_run se ns xs k vals d2).
Proof.
  induction ns as [|[r o ps|r o ps] ns IH]; intros xs k vals d1 d2; simpl; [reflexivity|apply IH|apply IH].
Qed.

(** Draws placed after [pre] are read at the shifted position. *)
Lemma det_run_shift (se : senv) (ns : list (node R)) (pre : list R) :
  forall (ys : list R) (k : nat) (vals draws : env R),
  det_run se ns (pre ++ ys) (length pre + k) vals draws = det_run se ns ys k vals draws.
Proof.
  induction ns as [|[r o ps|r o ps] ns IH]; intros ys k vals draws; simpl; [reflexivity| |].
  - apply IH.
  - assert (E : draw_segment (length pre + k) (shape_size (ref_shape r)) (pre ++ ys)
                = draw_segment k (shape_size (ref_shape r)) ys).
    { unfold draw_segment. apply map_ext. intros i.
      rewrite app_nth2 by lia. f_equal. lia. }
    rewrite E, <- Nat.add_assoc. apply IH.
Qed.

Lemma draw_segment_length (k n : nat) (xs : list R) : length (draw_segment k n xs) = n.
Proof. unfold draw_segment. rewrite map_length, seq_length. reflexivity. Qed.

Lemma nth_draw_segment (k n i : nat) (xs : list R) :
  (i < n)%nat -> nth i (draw_segment k n xs) 0 = nth (k + i) xs 0.
Proof.
  intros Hi. unfold draw_segment.
  rewrite (nth_map_in _ _ _ _ _ 0%nat) by (rewrite seq_length; exact Hi).
  rewrite seq_nth by exact Hi. reflexivity.
Qed.

Lemma draw_segment_prefix (xs ys : list R) :
  draw_segment 0 (length xs) (xs ++ ys) = xs.
Proof.
  apply (nth_ext _ _ 0 0); [apply draw_segment_length|].
  intros i Hi. rewrite draw_segment_length in Hi.
  rewrite nth_draw_segment by exact Hi. apply app_nth1, Hi.
Qed.

(** * Lists of draws *)

Lemma pdraw_list_app {X : Type} (ds1 ds2 : list (R -> R -> R)) (K : list R -> pdist X) :
  pdraw_list (ds1 ++ ds2) K = pdraw_list ds1 (fun xs1 => pdraw_list ds2 (fun xs2 => K (xs1 ++ xs2))).
Proof.
  revert K; induction ds1 as [|d ds1 IH]; intros K; simpl; [reflexivity|].
  f_equal. apply functional_extensionality. intros x. apply (IH (fun xs => K (x :: xs))).
Qed.

(** [pdraw_list] calls its continuation with lists of its length only. *)
Lemma pdraw_list_ext_len {X : Type} (ds : list (R -> R -> R)) (K1 K2 : list R -> pdist X) :
  (forall xs, length xs = length ds -> K1 xs = K2 xs) -> pdraw_list ds K1 = pdraw_list ds K2.
Proof.
  revert K1 K2; induction ds as [|d ds IH]; intros K1 K2 H; simpl; [apply H; reflexivity|].
  f_equal. apply functional_extensionality. intros x.
  apply IH. intros xs Hxs. apply H. simpl. lia.
Qed.

Lemma map_const_seq {X : Type} (c : X) (k n : nat) : map (fun _ => c) (seq k n) = repeat c n.
Proof. revert k; induction n as [|n IH]; intros k; simpl; [reflexivity|]. f_equal. apply IH. Qed.

(** * The family of a graph with standard-Gaussian noise *)

Theorem pnodes_std (se : senv) (ns : list (node R)) :
  all_std ns = true ->
  forall (valsC : R -> env R) (draws : env R),
  pnodes se ns valsC draws =
  pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) (n_draws ns))
    (fun xs => PRet (fun t => det_run se ns xs 0 (valsC t) draws)).
Proof.
  induction ns as [|n ns IH]; intros Hstd valsC draws; [reflexivity|].
  simpl in Hstd. apply andb_prop in Hstd as [Hn Hstd].
  destruct n as [r o ps|r o ps]; simpl.
  - apply IH, Hstd.
  - destruct o; [discriminate|]. simpl.
    rewrite (map_const_seq (fun _ : R => gauss_pdf 0 1)), repeat_app, pdraw_list_app.
    apply pdraw_list_ext_len. intros x Hx. rewrite repeat_length in Hx.
    rewrite IH by exact Hstd.
    apply pdraw_list_ext_len. intros ys _. f_equal. apply functional_extensionality. intros t.
    rewrite <- Hx, draw_segment_prefix.
    rewrite <- (det_run_shift se ns x ys 0). rewrite Nat.add_0_r. reflexivity.
Qed.

Corollary pgraph_std (g : graph R) (inputs : env R) (p : string) (j : nat) :
  all_std (g_nodes g) = true ->
  pgraph g inputs p j =
  pdraw_list (repeat (fun _ : R => gauss_pdf 0 1) (n_draws (g_nodes g)))
    (fun xs => PRet (fun t => det_run (shape_env g) (g_nodes g) xs 0 (input_curve inputs p j t) [])).
Proof. intros H. apply pnodes_std, H. Qed.

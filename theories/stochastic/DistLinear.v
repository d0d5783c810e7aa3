(** * Linearity and normalization of iterated-integral expectations; splitting runs

    The graph transformations (IntegrateKl.v) compare expectations
    [expect F D] (Stochastic.v: one Lebesgue integral per scalar draw) of
    related functions and distributions.  This file proves the general facts
    they use that DistRel.v (relations between two runs) does not, in plain
    maths:

    - [Lint] and [Lintegrable]: the zero function is integrable with
      integral 0, integrable functions are closed under [f + c * g] (the only
      mathcomp-analysis proofs here, a few lines on [integrableD] and
      [integrablerM]), and [Lint (f * c) = Lint f * c].
    - Linearity ([expect_plus]): [E[F + H] = E[F] + E[H]] when [F + H] and
      [H] are integrable at every draw ([dintegrable], RunFacts.v); a
      function equal to another on every reachable leaf ([dist_all],
      Unbiased.v) is integrable with it ([dintegrable_ext_all]).
    - Normalized distributions ([dnormal]: every density integrable, of
      mass 1): a function equal to [c] on every reachable leaf has
      expectation [c] ([expect_const]) and is integrable
      ([dintegrable_const]); [E[F + c] = E[F] + c] ([expect_plus_const]).
    - Sequencing (DistRel.v's [dist_bind D k]: run [D], then [k] on its
      result) and the image [dmap f D]: [E[F | dist_bind D k] =
      E[a |-> E[F | k a] | D]] ([expect_dist_bind]); [F] is integrable under
      [dist_bind D k] iff [a |-> E[F | k a]] is under [D] and [F] is under
      every [k a] of a reachable [a] ([dintegrable_dist_bind]).
    - Runs of node lists (Stochastic.v's [run_nodes]): the final values are
      the run's new bindings in front of the initial ones
      ([run_nodes_vals]); starting from [set_val vals k v] (the value of [k]
      replaced by [v]), where no node reads or defines [k], is the run from
      [vals] with [k]'s final value replaced ([run_nodes_set_val]); the same
      for the domain conditions ([domains_on_set_val]); a suffix whose
      domain conditions follow from those of another can replace it
      ([domains_on_app_replace]).
    - Runs of well-formed nodes ([wf_nodes], [good_node]) from values of the
      declared sizes ([sized_on]) on which the operator domains hold
      ([domains_on] of a constant family, as in [run_domains]):
      [run_nodes_prefix_leaves]: at every leaf of the run of a prefix [A] of
      [A ++ B], the values so far have their sizes and the domains of [B]
      hold ([se_after se A]: the shape environment after [A],
      [wf_nodes_app]); [run_nodes_normal]: the run is normalized (every draw
      is Gaussian with a positive standard deviation, of mass 1 by
      GaussianBridge.v's [stochastic_gauss_mass]). *)

From Coq Require Import Reals.
From HB Require structures.
From mathcomp Require all_ssreflect ssralg ssrnum.
From mathcomp.classical Require boolp classical_sets functions.
From mathcomp.analysis Require ereal measure lebesgue_measure lebesgue_integral Rstruct.
From Coquelicot Require Import Coquelicot.
From Coq Require Import String List Lia Lra FunctionalExtensionality.
From Certigrad Require Import Scalar Tensor Ops Graph WellFormed GraphFacts OpsSpec.
From Certigrad Require Import Stochastic StochasticPre RunFacts Unbiased ListSums GaussianBridge.
From Certigrad Require Import DistRel.
Import ListNotations.
Local Open Scope list_scope.
Local Open Scope R_scope.

(** * Integrable functions *)

(** The two closure facts need mathcomp-analysis; its notations stay inside
    this section. *)
Section Lintegrable_closure.
Import all_ssreflect ssralg ssrnum boolp classical_sets functions.
Import ereal measure lebesgue_measure lebesgue_integral Rstruct.
Import GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Lemma Lintegrable_zero : Lintegrable (fun _ => 0%R).
Proof.
rewrite /Lintegrable (_ : EFin \o _ = cst 0%E); first exact: integrable0.
by apply: funext.
Qed.

Lemma Lintegrable_plus_scal (f g : R -> R) (c : R) :
  Lintegrable f -> Lintegrable g -> Lintegrable (fun x => Rplus (f x) (Rmult c (g x))).
Proof.
move=> If Ig; have Icg := integrablerM measurableT c Ig.
by apply: eq_integrable (integrableD measurableT If Icg) => // x _; rewrite /= EFinD EFinM.
Qed.

End Lintegrable_closure.

Lemma Lintegrable_minus (f g : R -> R) :
  Lintegrable f -> Lintegrable g -> Lintegrable (fun x => f x - g x).
Proof.
  intros If Ig. refine (proj1 (Lintegrable_ext (fun x => f x + -1 * g x) _ _) _); [intros; ring|].
  now apply Lintegrable_plus_scal.
Qed.

Lemma Lintegrable_scal_r (f : R -> R) (c : R) : Lintegrable f -> Lintegrable (fun x => f x * c).
Proof.
  intros If. refine (proj1 (Lintegrable_ext (fun x => 0 + c * f x) _ _) _); [intros; ring|].
  apply Lintegrable_plus_scal; [apply Lintegrable_zero|exact If].
Qed.

Lemma Lint_zero : Lint (fun _ => 0) = 0.
Proof.
  pose proof (Lint_plus_scal (fun _ => 0) (fun _ => 0) 1 Lintegrable_zero Lintegrable_zero) as H.
  rewrite (Lint_ext _ (fun _ => 0)) in H by (intros; ring). lra.
Qed.

Lemma Lint_scal_r (f : R -> R) (c : R) : Lintegrable f -> Lint (fun x => f x * c) = Lint f * c.
Proof.
  intros If. pose proof (Lint_plus_scal (fun _ => 0) f c Lintegrable_zero If) as H.
  rewrite Lint_zero in H. rewrite (Lint_ext _ (fun x => 0 + c * f x)) by (intros; ring).
  rewrite H. ring.
Qed.

(** * Linearity of [expect] *)

Section Expect.
Context {A : Type}.

Lemma dintegrable_ext_all (F G : A -> R) (D : dist A) :
  dist_all (fun a => F a = G a) D -> dintegrable F D -> dintegrable G D.
Proof.
  induction D as [a|dens k IH]; simpl; [tauto|]. intros Hall [Hi Hk]. split.
  - refine (proj1 (Lintegrable_ext (fun x => dens x * expect F (k x)) _ _) _); [|exact Hi].
    intros x. now rewrite (expect_ext_all F G (k x) (Hall x)).
  - intros x. apply IH; auto.
Qed.

Lemma expect_zero (D : dist A) : expect (fun _ => 0) D = 0.
Proof.
  induction D as [a|dens k IH]; simpl; [reflexivity|].
  rewrite (Lint_ext _ (fun _ => 0)); [apply Lint_zero|]. intros x. rewrite IH. ring.
Qed.

Lemma dintegrable_zero (D : dist A) : dintegrable (fun _ => 0) D.
Proof.
  induction D as [a|dens k IH]; simpl; [exact I|]. split; [|exact IH].
  refine (proj1 (Lintegrable_ext (fun _ => 0) _ _) _); [|apply Lintegrable_zero].
  intros x. rewrite expect_zero. ring.
Qed.

(** [E[F + H] = E[F] + E[H]]; at each draw, [dens * E[F | x]] is the
    difference of two integrable functions. *)
Theorem expect_plus (F H : A -> R) (D : dist A) :
  dintegrable (fun a => F a + H a) D -> dintegrable H D ->
  expect (fun a => F a + H a) D = expect F D + expect H D.
Proof.
  induction D as [a|dens k IH]; simpl; [reflexivity|]. intros [IFH Ik] [IH0 Hk].
  assert (Hx : forall x, expect (fun a => F a + H a) (k x) = expect F (k x) + expect H (k x))
    by (intros x; apply IH; auto).
  assert (IF : Lintegrable (fun x => dens x * expect F (k x))).
  { refine (proj1 (Lintegrable_ext (fun x => dens x * expect (fun a => F a + H a) (k x)
                                      - dens x * expect H (k x)) _ _) _).
    - intros x. rewrite Hx. ring.
    - now apply Lintegrable_minus. }
  rewrite (Lint_ext _ (fun x => dens x * expect F (k x) + 1 * (dens x * expect H (k x)))).
  - rewrite Lint_plus_scal by assumption. ring.
  - intros x. rewrite Hx. ring.
Qed.

(** * Normalized distributions *)

(** Every density is integrable, of mass 1. *)
Fixpoint dnormal (D : dist A) : Prop :=
  match D with
  | Ret _ => True
  | Draw dens k => Lintegrable dens /\ Lint dens = 1 /\ forall x, dnormal (k x)
  end.

Lemma expect_const (F : A -> R) (D : dist A) (c : R) :
  dnormal D -> dist_all (fun a => F a = c) D -> expect F D = c.
Proof.
  induction D as [a|dens k IH]; simpl; [tauto|]. intros (Id & Md & Nk) Hall.
  rewrite (Lint_ext _ (fun x => dens x * c)) by (intros x; rewrite IH; auto).
  rewrite Lint_scal_r, Md by exact Id. ring.
Qed.

Lemma dintegrable_const (F : A -> R) (D : dist A) (c : R) :
  dnormal D -> dist_all (fun a => F a = c) D -> dintegrable F D.
Proof.
  induction D as [a|dens k IH]; simpl; [tauto|]. intros (Id & Md & Nk) Hall. split.
  - refine (proj1 (Lintegrable_ext (fun x => dens x * c) _ _) _).
    + intros x. rewrite (expect_const F (k x) c); auto.
    + now apply Lintegrable_scal_r.
  - intros x. apply IH; auto.
Qed.

Lemma expect_plus_const (F : A -> R) (D : dist A) (c : R) :
  dnormal D -> dintegrable F D -> expect (fun a => F a + c) D = expect F D + c.
Proof.
  induction D as [a|dens k IH]; simpl; [reflexivity|]. intros (Id & Md & Nk) [IF Ik].
  rewrite (Lint_ext _ (fun x => dens x * expect F (k x) + c * dens x))
    by (intros x; rewrite IH; auto; ring).
  rewrite Lint_plus_scal, Md by assumption. ring.
Qed.

End Expect.

(** * Sequencing *)

(** [dist_bind D k] (DistRel.v) runs [D], then [k] on its result; [dmap f D]
    is the image of [D] by [f]. *)
Definition dmap {A B : Type} (f : A -> B) (D : dist A) : dist B := dist_bind D (fun a => Ret (f a)).

Section Bind.
Context {A B : Type}.

Lemma expect_dist_bind (F : B -> R) (D : dist A) (k : A -> dist B) :
  expect F (dist_bind D k) = expect (fun a => expect F (k a)) D.
Proof.
  induction D as [a|dens k' IH]; simpl; [reflexivity|].
  apply Lint_ext. intros x. now rewrite IH.
Qed.

Lemma expect_dmap (F : B -> R) (f : A -> B) (D : dist A) :
  expect F (dmap f D) = expect (fun a => F (f a)) D.
Proof. apply expect_dist_bind. Qed.

Lemma dintegrable_dist_bind (F : B -> R) (D : dist A) (k : A -> dist B) :
  dintegrable F (dist_bind D k) <->
  dintegrable (fun a => expect F (k a)) D /\ dist_all (fun a => dintegrable F (k a)) D.
Proof.
  induction D as [a|dens k' IH]; simpl; [tauto|].
  replace (fun x => dens x * expect F (dist_bind (k' x) k))
    with (fun x => dens x * expect (fun a => expect F (k a)) (k' x))
    by (apply functional_extensionality; intros x; now rewrite expect_dist_bind).
  split.
  - intros [Hi Hk]. split; [split; [exact Hi|]|]; intros x; apply IH, Hk.
  - intros [[Hi Hk] Hall]. split; [exact Hi|]. intros x. apply IH. auto.
Qed.

End Bind.

Lemma dnormal_draw_list {A : Type} (ds : list (R -> R)) (K : list R -> dist A) :
  Forall (fun d => Lintegrable d /\ Lint d = 1) ds ->
  (forall xs, length xs = length ds -> dnormal (K xs)) -> dnormal (draw_list ds K).
Proof.
  revert K; induction ds as [|d ds IH]; intros K Hds HK; simpl.
  - now apply HK.
  - inversion Hds as [|? ? [Id Md] Hds']; subst. split; [exact Id|]. split; [exact Md|].
    intros x. apply IH; [exact Hds'|]. intros xs Hxs. apply HK. simpl. lia.
Qed.

(** * Runs of node lists *)

(** The final values are the run's new bindings, all of names of [ns], in
    front of the initial values. *)
Lemma run_nodes_vals (se : senv) (ns : list (node R)) :
  forall (vals draws : env R),
  dist_all (fun vd => exists W : env R, fst vd = W ++ vals /\ incl (map fst W) (map node_name ns))
    (run_nodes se ns vals draws).
Proof.
  induction ns as [|n ns IH]; intros vals draws.
  - simpl. exists []. split; [reflexivity|]. intros x [].
  - assert (Hcons : forall x draws',
               dist_all (fun vd => exists W, fst vd = W ++ vals /\
                                             incl (map fst W) (map node_name (n :: ns)))
                 (run_nodes se ns ((node_name n, x) :: vals) draws')).
    { intros x draws'. eapply dist_all_impl; [|apply IH]. intros vd [W [HW Hi]].
      exists (W ++ [(node_name n, x)]). split.
      - rewrite HW, <- app_assoc. reflexivity.
      - intros y Hy. rewrite map_app in Hy. apply in_app_iff in Hy.
        destruct Hy as [Hy|[<-|[]]]; [right; apply Hi, Hy|left; reflexivity]. }
    destruct n as [r o ps|r o ps]; simpl; [apply Hcons|].
    apply dist_all_draw_list. intros xs _. apply Hcons.
Qed.

(** ** Changing the value of a name that no node reads *)

(** The value of the first binding of [k] replaced by [v]. *)
Fixpoint set_val (e : env R) (k : string) (v : list R) : env R :=
  match e with
  | [] => []
  | (k', v') :: e' => if String.eqb k k' then (k', v) :: e' else (k', v') :: set_val e' k v
  end.

Lemma find_val_set_val_neq (e : env R) (k r : string) (v : list R) :
  r <> k -> find_val (set_val e k v) r = find_val e r.
Proof.
  intros Hr. induction e as [|[k' v'] e IH]; simpl; [reflexivity|].
  destruct (String.eqb_spec k k') as [<-|Hk].
  - rewrite !find_val_cons_neq by exact Hr. reflexivity.
  - destruct (String.eqb_spec r k') as [->|Hrk].
    + rewrite !find_val_cons_eq. reflexivity.
    + rewrite !find_val_cons_neq by exact Hrk. exact IH.
Qed.

Lemma find_val_set_val_eq (e : env R) (k : string) (v : list R) :
  In k (map fst e) -> find_val (set_val e k v) k = v.
Proof.
  induction e as [|[k' v'] e IH]; simpl; [tauto|]. intros Hk.
  destruct (String.eqb_spec k k') as [<-|Hkk].
  - apply find_val_cons_eq.
  - rewrite find_val_cons_neq by exact Hkk. apply IH. destruct Hk as [->|Hk]; [congruence|exact Hk].
Qed.

Lemma set_val_cons_neq (e : env R) (k k' : string) (v v' : list R) :
  k' <> k -> set_val ((k', v') :: e) k v = (k', v') :: set_val e k v.
Proof. intros H. simpl. destruct (String.eqb_spec k k'); [congruence|reflexivity]. Qed.

Lemma map_find_val_set_val (e : env R) (k : string) (v : list R) (ps : list string) :
  ~ In k ps -> map (find_val (set_val e k v)) ps = map (find_val e) ps.
Proof.
  intros Hk. apply map_ext_in. intros p Hp. apply find_val_set_val_neq. intros ->. tauto.
Qed.

(** Starting a run from [set_val vals k v], where no node of [ns] reads or
    defines [k], is the run from [vals] with [k]'s final value set to [v]. *)
Lemma run_nodes_set_val (se : senv) (ns : list (node R)) (k : string) (v : list R) :
  (forall n, In n ns -> ~ In k (node_parents n)) -> ~ In k (map node_name ns) ->
  forall vals draws,
  run_nodes se ns (set_val vals k v) draws =
  dmap (fun vd => (set_val (fst vd) k v, snd vd)) (run_nodes se ns vals draws).
Proof.
  induction ns as [|n ns IH]; intros Hps Hnm vals draws; [reflexivity|].
  assert (Hp : ~ In k (node_parents n)) by (apply Hps; now left).
  assert (Hps' : forall m, In m ns -> ~ In k (node_parents m)) by (intros m Hm; apply Hps; now right).
  assert (Hn : node_name n <> k) by (intros Heq; apply Hnm; left; exact Heq).
  assert (Hnm' : ~ In k (map node_name ns)) by (intros Hin; apply Hnm; now right).
  destruct n as [r o ps|r o ps]; simpl in Hp, Hn |- *.
  - rewrite (map_find_val_set_val vals k v ps Hp), <- set_val_cons_neq by exact Hn.
    now apply IH.
  - rewrite (map_find_val_set_val vals k v ps Hp). unfold dmap. rewrite draw_list_bind.
    f_equal. apply functional_extensionality. intros xs.
    rewrite <- set_val_cons_neq by exact Hn. now apply IH.
Qed.

(** The domain conditions along a family whose values differ only at [k],
    which no node reads or defines. *)
Lemma domains_on_set_val (se : senv) (a b : R) (ns : list (node R)) (k : string) :
  (forall n, In n ns -> ~ In k (node_parents n)) -> ~ In k (map node_name ns) ->
  forall (valsC valsC' : R -> env R) (v : R -> list R),
  (forall t, valsC' t = set_val (valsC t) k (v t)) ->
  domains_on se a b ns valsC -> domains_on se a b ns valsC'.
Proof.
  induction ns as [|n ns IH]; intros Hps Hnm valsC valsC' v Hv; simpl; [tauto|].
  assert (Hp : ~ In k (node_parents n)) by (apply Hps; now left).
  assert (Hps' : forall m, In m ns -> ~ In k (node_parents m)) by (intros m Hm; apply Hps; now right).
  assert (Hn : node_name n <> k) by (intros Heq; apply Hnm; left; exact Heq).
  assert (Hnm' : ~ In k (map node_name ns)) by (intros Hin; apply Hnm; now right).
  intros [H0 H1]. split.
  - intros t Ht. rewrite Hv, map_find_val_set_val by exact Hp. now apply H0.
  - destruct n as [r o ps|r o ps]; simpl in Hp, Hn.
    + eapply (IH Hps' Hnm' _ _ v); [|exact H1]. intros t. cbv beta.
      rewrite Hv, map_find_val_set_val, <- set_val_cons_neq by assumption. reflexivity.
    + intros x Hx. eapply (IH Hps' Hnm' _ _ v); [|exact (H1 x Hx)]. intros t. cbv beta.
      rewrite Hv, <- set_val_cons_neq by exact Hn. reflexivity.
Qed.

Lemma domains_on_app_l (se : senv) (a b : R) (A B : list (node R)) :
  forall valsC, domains_on se a b (A ++ B) valsC -> domains_on se a b A valsC.
Proof.
  induction A as [|n A IH]; intros valsC; simpl; [tauto|]. intros [H0 H1]. split; [exact H0|].
  destruct n; [now apply IH|]. intros x Hx. now apply IH, H1.
Qed.

(** Replacing a suffix whose domain conditions follow from those of the old
    one, along any family. *)
Lemma domains_on_app_replace (se : senv) (a b : R) (A B B' : list (node R)) :
  (forall valsC, domains_on se a b B valsC -> domains_on se a b B' valsC) ->
  forall valsC, domains_on se a b (A ++ B) valsC -> domains_on se a b (A ++ B') valsC.
Proof.
  intros HB. induction A as [|n A IH]; intros valsC; simpl; [apply HB|].
  intros [H0 H1]. split; [exact H0|]. destruct n; [now apply IH|]. intros x Hx. now apply IH, H1.
Qed.

(** * Runs of well-formed nodes *)

(** The references of [se] followed by the nodes of [A], as [wf_nodes]
    extends [se]. *)
Definition se_after (se : senv) (A : list (node R)) : senv := rev (map node_entry A) ++ se.

Lemma se_after_cons (se : senv) (n : node R) (A : list (node R)) :
  se_after se (n :: A) = se_after (node_entry n :: se) A.
Proof. unfold se_after. simpl. now rewrite <- app_assoc. Qed.

Lemma se_after_names (se : senv) (A : list (node R)) (r : string) :
  In r (map fst (se_after se A)) <-> In r (map fst se) \/ In r (map node_name A).
Proof.
  unfold se_after. rewrite map_app, in_app_iff, map_rev, in_rev, rev_involutive, map_map.
  tauto.
Qed.

Lemma wf_nodes_app (se : senv) (A B : list (node R)) :
  wf_nodes se (A ++ B) -> wf_nodes se A /\ wf_nodes (se_after se A) B.
Proof.
  revert se; induction A as [|n A IH]; intros se Hwf; simpl in *.
  - split; [constructor|exact Hwf].
  - inversion Hwf as [|? ? ? Hfresh Hsv Hps Hout Hwf']; subst.
    destruct (IH _ Hwf') as [HA HB]. split; [now constructor|].
    rewrite se_after_cons. exact HB.
Qed.

(** The values of the references [S] have the sizes of their shapes. *)
Definition sized_on (g : graph R) (S : list string) (vals : env R) : Prop :=
  forall r, In r S -> length (find_val vals r) = shape_size (find_shape (shape_env g) r).

Lemma sized_on_incl (g : graph R) (S S' : list string) (vals : env R) :
  incl S S' -> sized_on g S' vals -> sized_on g S vals.
Proof. intros Hi HS r Hr. apply HS, Hi, Hr. Qed.

Lemma sized_on_cons (g : graph R) (S : list string) (vals : env R) (r : string) (v : list R) :
  length v = shape_size (find_shape (shape_env g) r) -> sized_on g S vals ->
  sized_on g (r :: S) ((r, v) :: vals).
Proof.
  intros Hv HS r' Hr'. destruct (String.eqb_spec r' r) as [->|Hne].
  - now rewrite find_val_cons_eq.
  - rewrite find_val_cons_neq by exact Hne. apply HS. destruct Hr' as [->|Hr']; [congruence|exact Hr'].
Qed.

Lemma det_value_sized (g : graph R) (r : reference) (o : dop R) (ps S : list string) (vals : env R) :
  good_node g (NDet r o ps) -> incl ps S -> sized_on g S vals ->
  length (dop_forward R_ops o (parent_shapes (shape_env g) ps) (map (find_val vals) ps)) =
  shape_size (find_shape (shape_env g) (ref_name r)).
Proof.
  intros (_ & Hshape & _ & Hout) Hps HS. unfold node_name, node_shape in Hshape. simpl in Hshape.
  rewrite Hshape. apply (dop_forward_length o (ref_shape r)); [exact Hout|].
  apply sized_map. intros p Hp. apply HS, Hps, Hp.
Qed.

(** An [mvn] node has two parents, of its shape. *)
Lemma mvn_node_parents (g : graph R) (r : reference) (ps : list string) :
  good_node g (NRand r Mvn ps) ->
  exists pm psg, ps = [pm; psg] /\ find_shape (shape_env g) pm = ref_shape r /\
                 find_shape (shape_env g) psg = ref_shape r.
Proof.
  intros (_ & _ & _ & Hout). apply mvn_shape, parent_shapes_two in Hout. exact Hout.
Qed.

Lemma mvn_domain_pos (xs : list (list R)) :
  op_domain_holds R_ops (@ORand R Mvn) xs -> Forall (fun t => 0 < t) (nth 1 xs []).
Proof. intros H. exact H. Qed.

Lemma gauss_normal (m s : R) : 0 < s -> Lintegrable (gauss_pdf m s) /\ Lint (gauss_pdf m s) = 1.
Proof.
  intros Hs. split; [now apply stochastic_gauss_integrable|now apply stochastic_gauss_mass].
Qed.

(** The densities of a random node whose parents are in its domain and of
    their sizes are normalized. *)
Lemma rand_dens_normal (g : graph R) (S : list string) (vals : env R) (r : reference) (o : rop)
    (ps : list string) :
  good_node g (NRand r o ps) -> incl ps S -> sized_on g S vals ->
  op_domain_holds R_ops (ORand o) (map (find_val vals) ps) ->
  Forall (fun d => Lintegrable d /\ Lint d = 1)
    (rand_dens o (map (find_val vals) ps) (shape_size (ref_shape r))).
Proof.
  intros Hgood Hps HS Hdom. apply Forall_forall. intros d Hd.
  unfold rand_dens in Hd. apply in_map_iff in Hd. destruct Hd as [k [<- Hk]].
  apply in_seq in Hk. destruct o; simpl.
  - destruct (mvn_node_parents g r ps Hgood) as [pm [psg [-> [_ Hsg]]]].
    apply mvn_domain_pos in Hdom. simpl in Hdom.
    assert (Hlen : length (find_val vals psg) = shape_size (ref_shape r)).
    { rewrite <- Hsg. apply HS, Hps. right. now left. }
    apply gauss_normal. rewrite Forall_forall in Hdom. apply Hdom, nth_In. lia.
  - apply gauss_normal. lra.
Qed.

(** At every leaf of the run of a prefix [A]: the values of the references
    defined so far have their sizes, and the domains of the rest hold
    (DistRel.v's [run_nodes_sized] and [domains_on_run]). *)
Corollary run_nodes_prefix_leaves (g : graph R) (A B : list (node R)) (se : senv)
    (vals draws : env R) :
  wf_nodes se A -> Forall (good_node g) A -> sized_on g (map fst se) vals ->
  domains_on (shape_env g) 0 1 (A ++ B) (fun _ => vals) ->
  dist_all (fun vd => sized_on g (map fst (se_after se A)) (fst vd) /\
                      domains_on (shape_env g) 0 1 B (fun _ => fst vd))
    (run_nodes (shape_env g) A vals draws).
Proof.
  intros Hwf Hgood HS Hdom.
  eapply dist_all_impl;
    [|exact (dist_all_and _ _ _ (run_nodes_sized g A se vals draws Hwf Hgood HS)
                                (domains_on_run (shape_env g) 0 1 A B vals draws Hdom))].
  intros vd [Hs Hd]. split; [|exact Hd].
  apply (sized_on_incl g _ (map fst se ++ map node_name A)); [|exact Hs].
  intros r Hr. apply in_app_iff, (se_after_names se A r), Hr.
Qed.

(** A run of well-formed nodes from values of their sizes, on which every
    domain holds, is normalized. *)
Theorem run_nodes_normal (g : graph R) (ns : list (node R)) :
  forall se vals draws,
  wf_nodes se ns -> Forall (good_node g) ns -> sized_on g (map fst se) vals ->
  domains_on (shape_env g) 0 1 ns (fun _ => vals) ->
  dnormal (run_nodes (shape_env g) ns vals draws).
Proof.
  induction ns as [|n ns IH]; intros se vals draws Hwf Hgood HS Hdom; [exact I|].
  inversion Hwf as [|? ? ? _ _ Hps _ Hwf']; subst.
  inversion Hgood as [|? ? Hg1 Hgood']; subst.
  rewrite Forall_forall in Hps. destruct Hdom as [Hdom0 Hdom'].
  pose proof Hg1 as (_ & Hshape & _).
  destruct n as [r o ps|r o ps]; unfold node_name, node_shape, node_parents, node_op in *;
    simpl in *.
  - apply (IH _ _ _ Hwf' Hgood'); [|exact Hdom'].
    apply sized_on_cons; [|exact HS]. apply (det_value_sized g r o ps (map fst se)); auto.
  - apply dnormal_draw_list.
    + apply (rand_dens_normal g (map fst se)); auto. apply (Hdom0 (/2)). lra.
    + intros xs Hxs. unfold rand_dens in Hxs. rewrite map_length, seq_length in Hxs.
      apply (IH _ _ _ Hwf' Hgood'); [|exact (Hdom' xs Hxs)].
      apply sized_on_cons; [|exact HS]. now rewrite Hshape.
Qed.
